//! The workspace's pages: sign-in, the dashboard (calls and the team's review), uploading with
//! live progress, and the debrief with an audio player that seeks to whatever is clicked. Pages
//! are server-rendered HTML with a little inline script; they use the same API and the same
//! permission rule as any other client.

use super::api::{
    ApiError, App, SESSION_COOKIE, SESSION_LIFETIME, Signed, csrf_token, session_secret,
    visible_call,
};
use super::store::{CallRecord, FileKind, Note, Status};
use axum::Form;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;
use swimlane::charter::same_person;
use swimlane::debrief::Debrief;
use swimlane::model::{CallType, Role};
use swimlane::report::{debrief_html_parts, review_html_parts};
use swimlane::review::{CallRow, Filter, Outcome, Outcomes, review};
use swimlane::workspace::users::{User, UserRole};

/// The call types the forms offer, as `CallType` reads them.
const CALL_TYPES: [&str; 6] = [
    "intro",
    "discovery",
    "demo",
    "technical-deep-dive",
    "poc-readout",
    "negotiation",
];

/// A signed-in browser: pages send anyone else to the sign-in page.
pub(crate) struct PageUser {
    user: User,
    csrf: String,
}

impl FromRequestParts<Arc<App>> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Response> {
        let secret = session_secret(&parts.headers);
        match Signed::from_request_parts(parts, app).await {
            Ok(Signed(user)) => Ok(PageUser {
                user,
                csrf: secret.map(|s| csrf_token(&s)).unwrap_or_default(),
            }),
            Err(_) => Err(Redirect::to("/login").into_response()),
        }
    }
}

/// Escapes text for HTML content and quoted attributes.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A whole page: the navigation bar for `user`, then `body`.
fn page(title: &str, user: Option<&PageUser>, css: &str, body: &str, script: &str) -> Html<String> {
    let nav = match user {
        Some(p) => format!(
            "<nav class=\"top\"><a class=\"brand\" href=\"/\">swimlane</a><a href=\"/\">Dashboard</a>\
             <a href=\"/upload\">Upload</a><span class=\"who\">{} · {}</span>\
             <button id=\"signout\" type=\"button\">Sign out</button></nav>\n",
            esc(&p.user.name),
            p.user.role
        ),
        None => "<nav class=\"top\"><span class=\"brand\">swimlane</span></nav>\n".to_string(),
    };
    let csrf = user.map(|p| p.csrf.as_str()).unwrap_or_default();
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"csrf\" content=\"{csrf}\">\n<title>{} · swimlane</title>\n\
         <style>\n{css}\n{SHELL_CSS}</style>\n</head>\n<body>\n{nav}<main>\n{body}</main>\n\
         <script>\n{SHELL_SCRIPT}\n{script}</script>\n</body>\n</html>\n",
        esc(title)
    ))
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    token: String,
}

pub(crate) async fn login_page() -> Html<String> {
    login_form(None)
}

fn login_form(problem: Option<&str>) -> Html<String> {
    let problem = problem
        .map(|p| format!("<p class=\"problem\">{}</p>", esc(p)))
        .unwrap_or_default();
    page(
        "Sign in",
        None,
        "",
        &format!(
            "<section class=\"narrow\"><h1>Sign in</h1>{problem}\
             <form method=\"post\" action=\"/login\"><label>Access token\
             <input name=\"token\" type=\"password\" autocomplete=\"current-password\" required autofocus></label>\
             <button type=\"submit\">Sign in</button></form>\
             <p class=\"note\">Your token comes from <code>swimlane user add</code>; ask whoever runs this server.</p></section>"
        ),
        "",
    )
}

pub(crate) async fn login(State(app): State<Arc<App>>, Form(form): Form<LoginForm>) -> Response {
    let token = form.token.trim().to_string();
    if app.authenticate(&token).is_none() {
        return (
            StatusCode::UNAUTHORIZED,
            login_form(Some("That token is not valid.")),
        )
            .into_response();
    }
    let secret = app.sessions.start(&token);
    let max_age = SESSION_LIFETIME.as_secs();
    (
        [(
            header::SET_COOKIE,
            format!(
                "{SESSION_COOKIE}={secret}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}"
            ),
        )],
        Redirect::to("/"),
    )
        .into_response()
}

/// Ends the browser's session on the server as well as clearing its cookie; the user's token
/// itself stays valid (`swimlane user token NAME` renews it).
pub(crate) async fn logout(
    State(app): State<Arc<App>>,
    Signed(_): Signed,
    headers: axum::http::HeaderMap,
) -> Response {
    if let Some(secret) = session_secret(&headers) {
        app.sessions.end(&secret);
    }
    (
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
        )],
        StatusCode::NO_CONTENT,
    )
        .into_response()
}

/// The dashboard's filters, from the query string.
#[derive(Deserialize, Default)]
pub(crate) struct DashboardQuery {
    person: Option<String>,
    /// A pair, as `AE|SE`.
    pair: Option<String>,
    call_type: Option<String>,
    since: Option<String>,
    until: Option<String>,
}

pub(crate) async fn dashboard(
    State(app): State<Arc<App>>,
    user: PageUser,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, ApiError> {
    let calls = app.visible_calls(&user.user).await?;
    let outcomes = app.outcomes().await?;
    let mut rows = Vec::new();
    for call in calls.iter().filter(|c| c.status == Status::Done) {
        if let Some(debrief) = app.debrief(&call.id).await {
            rows.push(CallRow::of(
                &debrief,
                &format!("/calls/{}", call.id),
                &outcomes,
            ));
        }
    }
    let blank = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
    };
    let mut problems = Vec::new();
    let mut date = |name: &str, value: &Option<String>| {
        blank(value).and_then(|v| match v.parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(format!(
                    "{name} `{v}` is not a day such as 2026-11-28; ignored"
                ));
                None
            }
        })
    };
    let mut people_wanted: Vec<String> = blank(&query.person).into_iter().collect();
    if let Some((ae, se)) = blank(&query.pair)
        .as_deref()
        .and_then(|p| p.split_once('|'))
    {
        people_wanted.extend([ae.to_string(), se.to_string()]);
    }
    let filter = Filter {
        people: people_wanted,
        call_type: blank(&query.call_type)
            .map(|t| t.parse::<CallType>().unwrap_or_else(|never| match never {})),
        since: date("since", &query.since),
        until: date("until", &query.until),
    };
    let people: Vec<String> = {
        let mut names: Vec<String> = calls
            .iter()
            .flat_map(|c| [c.ae.clone(), c.se.clone()])
            .flatten()
            .collect();
        names.sort();
        names.dedup();
        names
    };
    let mut pairs: Vec<(String, String)> = calls
        .iter()
        .filter_map(|c| Some((c.ae.clone()?, c.se.clone()?)))
        .collect();
    pairs.sort();
    pairs.dedup();
    let filters = filter_form(&query, &people, &pairs, &problems);
    let listed: Vec<CallRecord> = calls.into_iter().filter(|c| lists(&filter, c)).collect();
    let calls_list = calls_table(&listed);
    let review_part = if rows.is_empty() {
        (
            "<section><h2>Review</h2><p class=\"empty\">No finished debriefs yet.</p></section>"
                .to_string(),
            "",
        )
    } else {
        let reviewed = review(rows, &filter, &Outcomes::default(), "");
        if reviewed.calls.is_empty() {
            ("<section><h2>Review</h2><p class=\"empty\">No finished call matches these filters.</p></section>".to_string(), "")
        } else {
            let parts = review_html_parts(&reviewed);
            (parts.body, parts.css)
        }
    };
    let title = if user.user.role == UserRole::Manager {
        "Team dashboard"
    } else {
        "Your calls"
    };
    let body = format!(
        "<h1>{title}</h1>\n{filters}<section><h2>Calls</h2>\n{calls_list}</section>\n{}",
        review_part.0
    );
    Ok(page(title, Some(&user), review_part.1, &body, "").into_response())
}

/// Whether the calls list shows a call under the dashboard's filters (the review applies the
/// same filters to the finished calls' debriefs).
fn lists(filter: &Filter, call: &CallRecord) -> bool {
    let in_pair = |name: &String| {
        [&call.ae, &call.se]
            .iter()
            .any(|n| n.as_deref().is_some_and(|n| same_person(name, n)))
    };
    let date = call
        .call_date
        .as_deref()
        .and_then(|d| d.parse::<jiff::civil::Date>().ok());
    filter.people.iter().all(in_pair)
        && filter.call_type.as_ref().is_none_or(|t| {
            call.call_type
                .as_deref()
                .is_some_and(|c| c.parse::<CallType>().is_ok_and(|c| &c == t))
        })
        && filter.since.is_none_or(|s| date.is_some_and(|d| d >= s))
        && filter.until.is_none_or(|u| date.is_some_and(|d| d <= u))
}

fn filter_form(
    query: &DashboardQuery,
    people: &[String],
    pairs: &[(String, String)],
    problems: &[String],
) -> String {
    let selected = |current: &Option<String>, value: &str| {
        if current.as_deref() == Some(value) {
            " selected"
        } else {
            ""
        }
    };
    let people_options: String = people
        .iter()
        .map(|p| {
            format!(
                "<option value=\"{0}\"{1}>{0}</option>",
                esc(p),
                selected(&query.person, p)
            )
        })
        .collect();
    let pair_options: String = pairs
        .iter()
        .map(|(ae, se)| {
            let value = format!("{ae}|{se}");
            format!(
                "<option value=\"{}\"{}>{} + {}</option>",
                esc(&value),
                selected(&query.pair, &value),
                esc(ae),
                esc(se)
            )
        })
        .collect();
    let types: String = CALL_TYPES
        .iter()
        .map(|t| {
            format!(
                "<option value=\"{t}\"{}>{t}</option>",
                selected(&query.call_type, t)
            )
        })
        .collect();
    let value = |v: &Option<String>| esc(v.as_deref().unwrap_or_default());
    let problems: String = problems
        .iter()
        .map(|p| format!("<p class=\"problem\">{}</p>", esc(p)))
        .collect();
    format!(
        "<form class=\"filters\" method=\"get\" action=\"/\">\
         <label>Pair <select name=\"pair\"><option value=\"\">any</option>{pair_options}</select></label>\
         <label>Person <select name=\"person\"><option value=\"\">anyone</option>{people_options}</select></label>\
         <label>Call type <select name=\"call_type\"><option value=\"\">any</option>{types}</select></label>\
         <label>Since <input type=\"date\" name=\"since\" value=\"{}\"></label>\
         <label>Until <input type=\"date\" name=\"until\" value=\"{}\"></label>\
         <button type=\"submit\">Filter</button> <a href=\"/\">clear</a></form>{problems}\n",
        value(&query.since),
        value(&query.until)
    )
}

fn calls_table(calls: &[CallRecord]) -> String {
    if calls.is_empty() {
        return "<p class=\"empty\">No calls yet. <a href=\"/upload\">Upload one</a>.</p>\n"
            .to_string();
    }
    let rows: String = calls
        .iter()
        .map(|c| {
            let status = match c.status {
                Status::Running => format!(
                    "running: {} {}%",
                    esc(c.stage.as_deref().unwrap_or_default()),
                    (c.progress * 100.0).round()
                ),
                Status::Failed => format!("failed: {}", esc(c.error.as_deref().unwrap_or_default())),
                other => other.as_str().to_string(),
            };
            format!(
                "<tr><td>{}</td><td><a href=\"/calls/{}\">{}</a></td><td>{} + {}</td><td>{}</td><td class=\"status {}\">{status}</td></tr>\n",
                esc(c.call_date.as_deref().unwrap_or("–")),
                c.id,
                esc(c.title.as_deref().unwrap_or("Untitled call")),
                esc(c.ae.as_deref().unwrap_or("no AE")),
                esc(c.se.as_deref().unwrap_or("no SE")),
                esc(c.call_type.as_deref().unwrap_or("–")),
                c.status.as_str()
            )
        })
        .collect();
    format!(
        "<table class=\"calls\"><thead><tr><th>Date</th><th>Call</th><th>Pair</th><th>Type</th><th>Status</th></tr></thead>\n<tbody>\n{rows}</tbody></table>\n"
    )
}

pub(crate) async fn upload_page(State(app): State<Arc<App>>, user: PageUser) -> Html<String> {
    let (mut ae, mut se) = app.prefill();
    match user.user.role {
        UserRole::Ae => ae = Some(user.user.name.clone()),
        UserRole::Se => se = Some(user.user.name.clone()),
        UserRole::Manager => {}
    }
    let known: String = app
        .known_names()
        .iter()
        .map(|n| format!("<option value=\"{}\">", esc(n)))
        .collect();
    let types: String = CALL_TYPES
        .iter()
        .map(|t| format!("<option value=\"{t}\">{t}</option>"))
        .collect();
    let body = format!(
        "<h1>Upload calls</h1>\n<section><form id=\"upload\">\
         <div id=\"drop\" class=\"drop\"><p>Drop recordings or transcripts here, or</p>\
         <input id=\"files\" name=\"file\" type=\"file\" multiple \
         accept=\"audio/*,.wav,.mp3,.m4a,.aac,.flac,.ogg,.json,.vtt,.srt,.txt\"></div>\
         <p class=\"note\">Each file is one call. (A call recorded as one file per person: upload it with \
         <code>curl</code> and a <code>track</code> name per file; see the README.)</p>\
         <div class=\"fields\">\
         <label>AE <input name=\"ae\" list=\"names\" value=\"{}\"></label>\
         <label>SE <input name=\"se\" list=\"names\" value=\"{}\"></label>\
         <label>Title <input name=\"title\" placeholder=\"from the file name\"></label>\
         <label>Call type <select name=\"call_type\"><option value=\"\">not set</option>{types}</select></label>\
         <label>Date <input name=\"date\" type=\"date\"></label>\
         <label>Channels (one file with a channel per person) \
         <input name=\"channels\" placeholder=\"0=Dana Ruiz, 1=Sam Patel\"></label></div>\
         <datalist id=\"names\">{known}</datalist>\
         <button type=\"submit\">Upload</button></form></section>\n\
         <section><h2>Progress</h2><ul id=\"jobs\" class=\"jobs\"><li class=\"empty\">Nothing uploaded yet.</li></ul></section>\n",
        esc(ae.as_deref().unwrap_or_default()),
        esc(se.as_deref().unwrap_or_default())
    );
    page("Upload", Some(&user), "", &body, UPLOAD_SCRIPT)
}

pub(crate) async fn call_page(
    State(app): State<Arc<App>>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, Response> {
    let call = visible_call(&app, &user.user, id)
        .await
        .map_err(|e| error_page(&user, e))?;
    if call.status != Status::Done {
        let body = format!(
            "<section><h1>{}</h1><p id=\"state\" data-id=\"{}\">{}</p>\
             <progress id=\"bar\" max=\"1\" value=\"{}\"></progress></section>",
            esc(call.title.as_deref().unwrap_or("Untitled call")),
            call.id,
            esc(&status_line(&call)),
            call.progress
        );
        return Ok(page("Call", Some(&user), "", &body, WAIT_SCRIPT).into_response());
    }
    let Some(debrief) = app.debrief(&call.id).await else {
        return Err(error_page(
            &user,
            ApiError::internal("the debrief file is missing"),
        ));
    };
    let parts = debrief_html_parts(&debrief);
    let has_recording =
        !call.recording_deleted && call.files.iter().any(|f| f.kind == FileKind::Audio);
    let player = if has_recording {
        format!(
            "<div class=\"player\"><audio id=\"player\" controls preload=\"metadata\" src=\"/api/calls/{}/recording\"></audio>\
             <span class=\"note\">Click an event's turn or a transcript line to hear it.</span></div>\n",
            call.id
        )
    } else if call.recording_deleted {
        "<div class=\"player note\">The recording was deleted by the retention setting.</div>\n"
            .to_string()
    } else {
        "<div class=\"player note\">Uploaded as a transcript: no recording to play.</div>\n"
            .to_string()
    };
    let notes = app
        .notes(&call.id)
        .await
        .map_err(|e| error_page(&user, e))?;
    let outcome = app
        .outcome(&call.id)
        .await
        .map_err(|e| error_page(&user, e))?;
    let script = format!(
        "{}\nvar STARTS = {};\nvar CALL = \"{}\";\n{SEEK_SCRIPT}\n{ACTIONS_SCRIPT}",
        parts.script,
        turn_starts(&debrief),
        call.id
    );
    let actions = actions(
        &debrief,
        &notes,
        outcome,
        user.user.role == UserRole::Manager,
    );
    let body = format!("{player}{actions}{}", parts.body);
    Ok(page(
        debrief.call.title.as_deref().unwrap_or("Debrief"),
        Some(&user),
        parts.css,
        &body,
        &script,
    )
    .into_response())
}

/// What the pair does in the autopsy: correct roles, mark events wrong, write notes, and (a
/// manager) record the deal's outcome.
fn actions(debrief: &Debrief, notes: &[Note], outcome: Option<Outcome>, manager: bool) -> String {
    let roles: String = debrief
        .speakers
        .iter()
        .filter(|s| s.present)
        .map(|s| {
            let options: String = [Role::Ae, Role::Se, Role::Prospect]
                .iter()
                .map(|r| {
                    let chosen = if *r == s.role { " selected" } else { "" };
                    format!("<option value=\"{0}\"{chosen}>{0}</option>", r.as_str())
                })
                .collect();
            format!(
                "<label>{0} <select class=\"role\" data-speaker=\"{0}\" data-was=\"{1}\">{options}</select></label>",
                esc(&s.name),
                s.role.as_str()
            )
        })
        .collect();
    let events: String = debrief
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            format!(
                "<li><span class=\"kind\">{}</span> turn {} · “{}” <button type=\"button\" class=\"wrong\" data-event=\"{i}\">Mark wrong</button></li>",
                esc(e.kind.as_str()),
                e.turn,
                esc(&e.evidence)
            )
        })
        .collect();
    let notes: String = notes
        .iter()
        .map(|n| {
            format!(
                "<li><strong>{}</strong> <span class=\"note\">{}</span><br>{}</li>",
                esc(&n.by),
                esc(&n.at),
                esc(&n.text)
            )
        })
        .collect();
    let outcome_box = if manager {
        let options: String = ["", "won", "lost", "no-go"]
            .iter()
            .map(|o| {
                let chosen = if outcome.map(|x| x.as_str()) == Some(*o) {
                    " selected"
                } else {
                    ""
                };
                let label = if o.is_empty() { "not recorded" } else { o };
                format!("<option value=\"{o}\"{chosen}>{label}</option>")
            })
            .collect();
        format!(
            "<div><h3>Deal outcome</h3><select id=\"outcome\">{options}</select> \
             <button type=\"button\" id=\"save-outcome\">Record</button></div>"
        )
    } else {
        let recorded = outcome.map_or("not recorded", |o| o.as_str());
        format!("<div><h3>Deal outcome</h3><p>{recorded} (a manager records it)</p></div>")
    };
    format!(
        "<section class=\"actions\"><h2>Autopsy together</h2><div class=\"grid\">\
         <div><h3>Roles</h3>{roles}<br><button type=\"button\" id=\"save-roles\">Re-analyse with these roles</button></div>\
         <div><h3>Events</h3><ol class=\"marks\">{events}</ol></div>\
         <div><h3>Notes</h3><ul class=\"notes\">{notes}</ul><textarea id=\"note\" rows=\"3\" placeholder=\"What did we miss?\"></textarea><br>\
         <button type=\"button\" id=\"add-note\">Add note</button></div>{outcome_box}</div></section>\n"
    )
}

/// Each turn's start in seconds, as a JavaScript array indexed by turn.
fn turn_starts(debrief: &Debrief) -> String {
    let starts: Vec<String> = debrief
        .turns
        .iter()
        .map(|t| format!("{:.3}", t.start.as_secs_f64()))
        .collect();
    format!("[{}]", starts.join(","))
}

fn status_line(call: &CallRecord) -> String {
    match call.status {
        Status::Queued => "Queued: waiting for a worker.".to_string(),
        Status::Running => format!(
            "{} {}%",
            call.stage.as_deref().unwrap_or("working"),
            (call.progress * 100.0).round()
        ),
        Status::Failed => format!(
            "Failed: {}",
            call.error.as_deref().unwrap_or("no reason recorded")
        ),
        Status::Done => "Done.".to_string(),
    }
}

fn error_page(user: &PageUser, e: ApiError) -> Response {
    let (status, message) = e.parts();
    let body = format!(
        "<section class=\"narrow\"><h1>{}</h1><p>{}</p><p><a href=\"/\">Back to the dashboard</a></p></section>",
        status.as_u16(),
        esc(message)
    );
    (status, page("Error", Some(user), "", &body, "")).into_response()
}

/// The navigation bar's sign-out, sent with the page's CSRF token.
const SHELL_SCRIPT: &str = r#"var CSRF = document.querySelector('meta[name="csrf"]').content;
(function () {
  var out = document.getElementById("signout");
  if (out) out.addEventListener("click", function () {
    fetch("/logout", { method: "POST", headers: { "X-CSRF-Token": CSRF } })
      .then(function () { location.href = "/login"; });
  });
})();"#;

/// Uploads each file as its own call and follows its job until it is done.
const UPLOAD_SCRIPT: &str = r#"(function () {
  var form = document.getElementById("upload"), input = document.getElementById("files");
  var drop = document.getElementById("drop"), jobs = document.getElementById("jobs");
  var dropped = null;
  drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
  drop.addEventListener("drop", function (e) {
    e.preventDefault(); drop.classList.remove("over");
    dropped = e.dataTransfer.files;
    drop.querySelector("p").textContent = dropped.length + " file(s) ready to upload";
  });
  function item(name) {
    if (jobs.querySelector(".empty")) jobs.innerHTML = "";
    var li = document.createElement("li");
    li.textContent = name + ": uploading…";
    jobs.appendChild(li);
    return li;
  }
  function follow(li, name, id) {
    fetch("/api/calls/" + id, { headers: { "X-CSRF-Token": CSRF } }).then(function (r) { return r.json(); }).then(function (c) {
      if (c.status === "done") {
        li.innerHTML = "";
        var a = document.createElement("a");
        a.href = "/calls/" + id; a.textContent = name + ": debrief ready";
        a.className = "ready"; li.appendChild(a);
        return;
      }
      if (c.status === "failed") { li.textContent = name + ": failed: " + c.error; li.className = "failed"; return; }
      li.textContent = name + ": " + (c.status === "queued" ? "queued" : (c.stage || "working") + " " + Math.round(c.progress * 100) + "%");
      setTimeout(function () { follow(li, name, id); }, 1000);
    });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var files = dropped && dropped.length ? dropped : input.files;
    if (!files.length) { alert("Choose or drop a file first."); return; }
    Array.prototype.forEach.call(files, function (file) {
      var data = new FormData(form);
      data.delete("file");
      data.delete("channels");
      (form.elements.channels.value || "").split(",").forEach(function (c) {
        if (c.trim()) data.append("channel", c.trim());
      });
      data.append("file", file);
      if (!data.get("title")) data.set("title", file.name.replace(/\.[^.]*$/, ""));
      var li = item(file.name);
      fetch("/api/calls", { method: "POST", body: data, headers: { "X-CSRF-Token": CSRF } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (r) {
          if (!r.ok) { li.textContent = file.name + ": refused: " + r.body.error; li.className = "failed"; return; }
          follow(li, file.name, r.body.id);
        });
    });
    dropped = null; input.value = "";
  });
})();"#;

/// Follows a call that is not done yet and shows its debrief once it is.
const WAIT_SCRIPT: &str = r#"(function () {
  var state = document.getElementById("state"), bar = document.getElementById("bar");
  var id = state.getAttribute("data-id");
  function poll() {
    fetch("/api/calls/" + id).then(function (r) { return r.json(); }).then(function (c) {
      if (c.status === "done") { location.reload(); return; }
      if (c.status === "failed") { state.textContent = "Failed: " + c.error; return; }
      bar.value = c.progress;
      state.textContent = c.status === "queued" ? "Queued: waiting for a worker." : (c.stage || "working") + " " + Math.round(c.progress * 100) + "%";
      setTimeout(poll, 1000);
    });
  }
  setTimeout(poll, 1000);
})();"#;

/// Seeks the player to the turn an event or transcript line points at.
const SEEK_SCRIPT: &str = r##"(function () {
  var player = document.getElementById("player");
  if (!player) return;
  document.addEventListener("click", function (e) {
    var link = e.target.closest('a[href^="#turn-"]');
    var line = e.target.closest('li[id^="turn-"]');
    var id = link ? link.getAttribute("href").slice(6) : line ? line.id.slice(5) : null;
    if (id === null || STARTS[+id] === undefined) return;
    player.currentTime = STARTS[+id];
    player.play().catch(function () {});
  });
})();"##;

/// The autopsy section's buttons, each a call to the API with the page's CSRF token.
const ACTIONS_SCRIPT: &str = r#"(function () {
  function send(method, path, body) {
    return fetch("/api/calls/" + CALL + path, {
      method: method, body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF }
    }).then(function (r) {
      if (!r.ok) return r.json().then(function (b) { alert(b.error); throw new Error(b.error); });
      return r;
    });
  }
  var roles = document.getElementById("save-roles");
  if (roles) roles.addEventListener("click", function () {
    var changed = Array.prototype.filter.call(document.querySelectorAll("select.role"), function (s) {
      return s.value !== s.getAttribute("data-was");
    });
    if (!changed.length) { alert("No role was changed."); return; }
    changed.reduce(function (p, s) {
      return p.then(function () { return send("PUT", "/roles", { speaker: s.getAttribute("data-speaker"), role: s.value }); });
    }, Promise.resolve()).then(function () { location.reload(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.wrong"), function (b) {
    b.addEventListener("click", function () {
      var note = prompt("What is wrong with this event? (optional)") ;
      if (note === null) return;
      send("POST", "/feedback", { event: +b.getAttribute("data-event"), note: note })
        .then(function () { b.textContent = "Marked wrong"; b.disabled = true; });
    });
  });
  var add = document.getElementById("add-note");
  if (add) add.addEventListener("click", function () {
    var text = document.getElementById("note").value;
    send("POST", "/notes", { text: text }).then(function () { location.reload(); });
  });
  var outcome = document.getElementById("save-outcome");
  if (outcome) outcome.addEventListener("click", function () {
    var value = document.getElementById("outcome").value;
    if (!value) return;
    send("PUT", "/outcome", { outcome: value }).then(function () { outcome.textContent = "Recorded"; });
  });
})();"#;

const SHELL_CSS: &str = r#"nav.top { display: flex; gap: 18px; align-items: center; padding: 10px 20px; background: #1c2330;
  color: #fff; font: 14px system-ui, sans-serif; }
nav.top a { color: #fff; text-decoration: none; }
nav.top .brand { font-weight: 800; letter-spacing: 0.04em; margin-right: 10px; }
nav.top .who { margin-left: auto; color: #c9ced6; }
nav.top button { background: none; border: 1px solid #5d6675; color: #fff; border-radius: 6px; padding: 3px 10px; cursor: pointer; }
body { margin: 0; background: #f4f5f7; color: #1c2330; font: 15px/1.55 system-ui, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 20px 40px; }
section { background: #fff; border: 1px solid #e2e5eb; border-radius: 12px; padding: 18px 22px; margin: 0 0 18px; }
section.narrow { max-width: 460px; margin: 40px auto; }
form label { display: inline-flex; flex-direction: column; font-size: 13px; color: #5d6675; margin: 0 12px 10px 0; }
input, select, button { font: inherit; padding: 5px 8px; border: 1px solid #c9ced6; border-radius: 6px; }
button[type=submit] { background: #0072b2; color: #fff; border-color: #0072b2; cursor: pointer; }
.filters { margin: 0 0 16px; }
.problem { color: #9a4100; }
.note { color: #5d6675; font-size: 13px; }
.empty { color: #5d6675; font-style: italic; }
table.calls { border-collapse: collapse; width: 100%; font-size: 14px; }
table.calls th, table.calls td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e2e5eb; }
.status.failed, li.failed { color: #9a4100; }
.status.done { color: #00664a; }
.drop { border: 2px dashed #c9ced6; border-radius: 12px; padding: 18px; text-align: center; margin: 0 0 12px; }
.drop.over { border-color: #0072b2; background: #e4f0f8; }
ul.jobs { list-style: none; padding: 0; }
ul.jobs li { padding: 6px 0; border-bottom: 1px solid #e2e5eb; }
.player { position: sticky; top: 0; z-index: 5; display: flex; gap: 12px; align-items: center; background: #fff;
  border: 1px solid #e2e5eb; border-radius: 12px; padding: 10px 14px; margin: 0 0 14px; }
progress { width: 100%; }
.actions .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: 16px; }
.actions h3 { font-size: 14px; margin: 0 0 6px; }
.actions label { display: flex; flex-direction: row; gap: 8px; align-items: center; color: #1c2330; }
ol.marks { padding-left: 18px; font-size: 13px; max-height: 220px; overflow-y: auto; }
ol.marks .kind { font-weight: 650; }
ul.notes { list-style: none; padding: 0; font-size: 13px; }
textarea { width: 100%; font: inherit; }
li[id^="turn-"] { cursor: pointer; }
"#;
