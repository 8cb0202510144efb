//! The HTTP API: bearer-token sign-in, the permission rule on every route (an SE or AE sees the
//! calls of their own pairs, a manager all of them), uploads into the queue, job status, and
//! debriefs in each report format. Every answer carries the security headers; errors are JSON
//! `{"error": "..."}` with the status that says what went wrong.

use super::pages;
use super::store::{CallRecord, Feedback, FileKind, NewCall, Note, Status, Store};
use super::upload::{self, Refusal};
use super::{Workspace, is_call_id, jobs::Queue, new_id, now, remove_dir};
use anyhow::{Context, Result};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router, middleware};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use swimlane::debrief::Debrief;
use swimlane::report::{ReportFormat, render};
use swimlane::workspace::users::{User, UserRole, Users, new_session_secret, token_hash};
use tower::ServiceExt;

/// Everything the routes share.
pub(crate) struct App {
    workspace: Workspace,
    store: Arc<Store>,
    queue: Arc<Queue>,
    max_upload: u64,
    users: Mutex<UsersFile>,
    names: Names,
    pub sessions: Sessions,
}

/// Browser sessions, kept in the server's memory. `/login` trades a token for a session secret,
/// which becomes the cookie; `/logout` ends the session, and it ends by itself after
/// [`SESSION_LIFETIME`]. A restart signs every browser out. Sessions are found by the
/// secret's hash, and each keeps the token it was opened with, so a removed user or a renewed
/// token ends it too.
pub(crate) struct Sessions {
    live: Mutex<HashMap<String, Session>>,
    lifetime: Duration,
}

struct Session {
    token: String,
    started: Instant,
}

/// How long a browser stays signed in.
pub(crate) const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

impl Default for Sessions {
    fn default() -> Self {
        Self::lasting(SESSION_LIFETIME)
    }
}

impl Sessions {
    fn lasting(lifetime: Duration) -> Self {
        Self {
            live: Mutex::default(),
            lifetime,
        }
    }

    /// Opens a session for `token` and returns its secret; sessions that have ended by
    /// themselves are forgotten.
    pub fn start(&self, token: &str) -> String {
        let secret = new_session_secret();
        let mut sessions = self.live.lock().unwrap_or_else(|p| p.into_inner());
        sessions.retain(|_, s| s.started.elapsed() < self.lifetime);
        sessions.insert(
            token_hash(&secret),
            Session {
                token: token.to_string(),
                started: Instant::now(),
            },
        );
        secret
    }

    /// The token behind a live session.
    pub fn token(&self, secret: &str) -> Option<String> {
        let sessions = self.live.lock().unwrap_or_else(|p| p.into_inner());
        sessions
            .get(&token_hash(secret))
            .filter(|s| s.started.elapsed() < self.lifetime)
            .map(|s| s.token.clone())
    }

    pub fn end(&self, secret: &str) {
        let mut sessions = self.live.lock().unwrap_or_else(|p| p.into_inner());
        sessions.remove(&token_hash(secret));
    }
}

/// Names the upload form offers: the charter's pair first, then enrolled voices.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    pub ae: Option<String>,
    pub se: Option<String>,
    pub known: Vec<String>,
}

/// The users file as last read, re-read when it changes on disk (so `swimlane user add` works
/// without a restart).
struct UsersFile {
    modified: Option<SystemTime>,
    users: Users,
}

impl App {
    pub fn new(
        workspace: Workspace,
        store: Arc<Store>,
        queue: Arc<Queue>,
        max_upload: u64,
        names: Names,
    ) -> App {
        App {
            workspace,
            store,
            queue,
            max_upload,
            names,
            sessions: Sessions::default(),
            users: Mutex::new(UsersFile {
                modified: None,
                users: Users::default(),
            }),
        }
    }

    /// The AE and SE the upload form starts with.
    pub fn prefill(&self) -> (Option<String>, Option<String>) {
        (self.names.ae.clone(), self.names.se.clone())
    }

    /// Names to suggest in the upload form.
    pub fn known_names(&self) -> &[String] {
        &self.names.known
    }

    /// The calls this user may see, newest first.
    pub async fn visible_calls(self: &Arc<Self>, user: &User) -> Result<Vec<CallRecord>, ApiError> {
        let mut calls = blocking(self, |store| store.calls()).await?;
        calls.retain(|c| user.may_see(c.ae.as_deref(), c.se.as_deref()));
        Ok(calls)
    }

    /// Recorded deal outcomes, for the review.
    pub async fn outcomes(self: &Arc<Self>) -> Result<swimlane::review::Outcomes, ApiError> {
        let rows = blocking(self, |store| store.outcomes()).await?;
        let mut outcomes = swimlane::review::Outcomes::default();
        for (call, outcome) in rows {
            if let Ok(outcome) = outcome.parse() {
                outcomes.record(&call, outcome);
            }
        }
        Ok(outcomes)
    }

    /// The outcome recorded on one call; one that no longer parses counts as none, as in
    /// [`App::outcomes`].
    pub async fn outcome(
        self: &Arc<Self>,
        id: &str,
    ) -> Result<Option<swimlane::review::Outcome>, ApiError> {
        let id = id.to_string();
        let outcome = blocking(self, move |store| store.outcome(&id)).await?;
        Ok(outcome.and_then(|o| o.parse().ok()))
    }

    /// A call's autopsy notes.
    pub async fn notes(self: &Arc<Self>, id: &str) -> Result<Vec<Note>, ApiError> {
        let id = id.to_string();
        blocking(self, move |store| store.notes(&id)).await
    }

    /// A finished call's debrief, if it can be read.
    pub async fn debrief(&self, id: &str) -> Option<Debrief> {
        let bytes = tokio::fs::read(self.workspace.call_dir(id).join("debrief.json"))
            .await
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The user a token belongs to, from the users file as it is now.
    pub fn authenticate(&self, token: &str) -> Option<User> {
        let path = self.workspace.users_file();
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        let mut cached = self.users.lock().unwrap_or_else(|p| p.into_inner());
        if cached.modified != modified || modified.is_none() {
            match self.workspace.load_users() {
                Ok(users) => {
                    cached.users = users;
                    cached.modified = modified;
                }
                // A file caught mid-edit or broken: keep the last good list, and say why.
                Err(e) => eprintln!("warning: {e:#}"),
            }
        }
        cached.users.authenticate(token).cloned()
    }
}

/// Serves until interrupted (Ctrl-C or SIGTERM). Jobs that are running then resume at the next
/// start.
pub(crate) fn run(app: App, bind: IpAddr, port: u16) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((bind, port))
            .await
            .with_context(|| format!("cannot listen on {bind}:{port}; pick another --port"))?;
        let address = listener.local_addr()?;
        eprintln!(
            "swimlane serve: listening on http://{address}/ (workspace {})",
            app.workspace.dir.display()
        );
        axum::serve(listener, router(Arc::new(app)))
            .with_graceful_shutdown(shutdown())
            .await
            .context("the server stopped")
    })
}

async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

pub(crate) fn router(app: Arc<App>) -> Router {
    // Room for the multipart framing around the files themselves.
    let body_limit =
        usize::try_from(app.max_upload.saturating_add(1_000_000)).unwrap_or(usize::MAX);
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/upload", get(pages::upload_page))
        .route("/calls/{id}", get(pages::call_page))
        .route("/api/calls", get(list_calls).post(upload_call))
        .route("/api/calls/{id}", get(call_status))
        .route("/api/calls/{id}/debrief", get(debrief_json))
        .route("/api/calls/{id}/debrief.html", get(debrief_html))
        .route("/api/calls/{id}/debrief.md", get(debrief_markdown))
        .route("/api/calls/{id}/recording", get(recording))
        .route("/api/calls/{id}/roles", put(correct_role))
        .route("/api/calls/{id}/feedback", post(mark_event_wrong))
        .route("/api/calls/{id}/notes", get(list_notes).post(add_note))
        .route("/api/calls/{id}/outcome", put(record_outcome))
        .route("/api/feedback", get(export_feedback))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such page or API route") })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::map_response(security_headers))
        .with_state(app)
}

/// Headers that keep pages and answers from being framed, sniffed, cached or leaking their
/// address.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// An error answer: `{"error": message}` with its status.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("server error: {e}"),
        )
    }

    pub fn parts(&self) -> (StatusCode, &str) {
        (self.status, &self.message)
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> ApiError {
        ApiError::new(r.status, r.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The signed-in user: from `Authorization: Bearer TOKEN`, or from the session cookie that
/// `/login` sets, in which case a request that changes anything must also carry the page's
/// CSRF token in `X-CSRF-Token`.
pub(crate) struct Signed(pub User);

impl FromRequestParts<Arc<App>> for Signed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        let (token, session) = match bearer(&parts.headers) {
            Some(token) => (token, None),
            None => match session_secret(&parts.headers) {
                Some(secret) => {
                    let token = app.sessions.token(&secret).ok_or_else(|| {
                        ApiError::new(
                            StatusCode::UNAUTHORIZED,
                            "this session has ended: sign in again",
                        )
                    })?;
                    (token, Some(secret))
                }
                None => {
                    return Err(ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "sign in: send `Authorization: Bearer TOKEN` (`swimlane user add` makes a token)",
                    ));
                }
            },
        };
        let user = app.authenticate(&token).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "this token is not valid; ask for a new one (`swimlane user token NAME`)",
            )
        })?;
        let changes = !matches!(parts.method, Method::GET | Method::HEAD);
        if let Some(secret) = session.filter(|_| changes) {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            if sent != Some(csrf_token(&secret).as_str()) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "missing or wrong X-CSRF-Token: reload the page and try again",
                ));
            }
        }
        Ok(Signed(user))
    }
}

/// The name of the cookie that keeps a browser signed in.
pub(crate) const SESSION_COOKIE: &str = "swimlane_session";

/// The session cookie's secret, if the request has one.
pub(crate) fn session_secret(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The CSRF token of a session: derived from its secret, so only a page that was served to the
/// session's browser can know it.
pub(crate) fn csrf_token(secret: &str) -> String {
    token_hash(&format!("swimlane-csrf:{secret}"))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// Runs a store call off the async threads.
async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    work: impl FnOnce(&Store) -> Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || work(&store))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::internal(format!("{e:#}")))
}

/// The call `id`, if this user may see it: 404 for no such call, 403 for another pair's.
pub(crate) async fn visible_call(
    app: &Arc<App>,
    user: &User,
    id: String,
) -> Result<CallRecord, ApiError> {
    if !is_call_id(&id) {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "no such call"));
    }
    let call = blocking(app, move |store| store.call(&id))
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no such call"))?;
    if !user.may_see(call.ae.as_deref(), call.se.as_deref()) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this call belongs to a pair you are not in",
        ));
    }
    Ok(call)
}

/// A call as the API shows it.
#[derive(Serialize)]
struct CallView<'a> {
    id: &'a str,
    status: Status,
    /// 0..1.
    progress: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    title: Option<&'a str>,
    call_type: Option<&'a str>,
    date: Option<&'a str>,
    ae: Option<&'a str>,
    se: Option<&'a str>,
    uploaded_by: &'a str,
    created_at: &'a str,
    recording_deleted: bool,
    files: Vec<FileView<'a>>,
}

/// An uploaded file as the API shows it.
#[derive(Serialize)]
struct FileView<'a> {
    kind: FileKind,
    bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    track: Option<&'a str>,
}

impl<'a> CallView<'a> {
    fn of(call: &'a CallRecord) -> CallView<'a> {
        CallView {
            id: &call.id,
            status: call.status,
            progress: call.progress,
            stage: call.stage.as_deref(),
            error: call.error.as_deref(),
            title: call.title.as_deref(),
            call_type: call.call_type.as_deref(),
            date: call.call_date.as_deref(),
            ae: call.ae.as_deref(),
            se: call.se.as_deref(),
            uploaded_by: &call.uploaded_by,
            created_at: &call.created_at,
            recording_deleted: call.recording_deleted,
            files: call
                .files
                .iter()
                .map(|f| FileView {
                    kind: f.kind,
                    bytes: f.bytes,
                    track: f.track_name.as_deref(),
                })
                .collect(),
        }
    }
}

async fn list_calls(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
) -> Result<Response, ApiError> {
    let calls = app.visible_calls(&user).await?;
    let views: Vec<CallView> = calls.iter().map(CallView::of).collect();
    Ok(Json(serde_json::json!({ "calls": views })).into_response())
}

async fn call_status(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let call = visible_call(&app, &user, id).await?;
    Ok(Json(CallView::of(&call)).into_response())
}

async fn upload_call(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let id = new_id();
    let incoming = app.workspace.incoming_dir().join(&id);
    let received = upload::receive(multipart, incoming.clone(), app.max_upload).await?;
    let mut fields = received.fields;
    match user.role {
        UserRole::Se => {
            fields.se.get_or_insert_with(|| user.name.clone());
        }
        UserRole::Ae => {
            fields.ae.get_or_insert_with(|| user.name.clone());
        }
        UserRole::Manager => {}
    }
    // Left empty otherwise, the pair is the charter's.
    let (charter_ae, charter_se) = app.prefill();
    fields.ae = fields.ae.or(charter_ae);
    fields.se = fields.se.or(charter_se);
    if !user.may_see(fields.ae.as_deref(), fields.se.as_deref()) {
        let _ = remove_dir(&incoming);
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "you may upload only your own pairs' calls: leave your own role's field empty or put your name in it",
        ));
    }
    let call = NewCall {
        id: id.clone(),
        uploaded_by: user.name.clone(),
        title: fields.title,
        call_type: fields.call_type,
        call_date: fields.date,
        ae: fields.ae,
        se: fields.se,
        channels: fields.channels,
        files: received.files,
    };
    let destination = app.workspace.call_dir(&id);
    let created = now();
    let workspace = app.workspace.clone();
    blocking(&app, move |store| {
        std::fs::rename(&incoming, &destination)
            .with_context(|| format!("cannot move the upload into {}", destination.display()))?;
        sync_dir(&workspace.dir.join("calls"));
        if let Err(e) = store.insert(&call, &created) {
            let _ = remove_dir(&destination);
            return Err(e);
        }
        Ok(())
    })
    .await?;
    app.queue.notify();
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

/// Makes a rename inside `dir` durable.
fn sync_dir(dir: &std::path::Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// The finished debrief of a call the user may see: 409 while the job is not done.
async fn debrief_of(
    app: &Arc<App>,
    user: &User,
    id: String,
) -> Result<(CallRecord, Vec<u8>), ApiError> {
    let call = visible_call(app, user, id).await?;
    match call.status {
        Status::Done => {}
        Status::Failed => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!(
                    "the job failed, so there is no debrief: {}",
                    call.error.as_deref().unwrap_or("no reason recorded")
                ),
            ));
        }
        status => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("the debrief is not ready: the call is {}", status.as_str()),
            ));
        }
    }
    let path = app.workspace.call_dir(&call.id).join("debrief.json");
    let bytes = tokio::fs::read(&path).await.map_err(ApiError::internal)?;
    Ok((call, bytes))
}

async fn debrief_json(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (_, bytes) = debrief_of(&app, &user, id).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

async fn debrief_html(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    rendered(
        &app,
        &user,
        id,
        ReportFormat::Html,
        "text/html; charset=utf-8",
    )
    .await
}

async fn debrief_markdown(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    rendered(
        &app,
        &user,
        id,
        ReportFormat::Markdown,
        "text/markdown; charset=utf-8",
    )
    .await
}

async fn rendered(
    app: &Arc<App>,
    user: &User,
    id: String,
    format: ReportFormat,
    content_type: &'static str,
) -> Result<Response, ApiError> {
    let (_, debrief) = parsed_debrief(app, user, id).await?;
    Ok((
        [(header::CONTENT_TYPE, content_type)],
        render(&debrief, format),
    )
        .into_response())
}

async fn recording(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let call = visible_call(&app, &user, id).await?;
    if call.recording_deleted {
        return Err(ApiError::new(
            StatusCode::GONE,
            "the recording was deleted by the retention setting; the debrief is kept",
        ));
    }
    let Some(file) = call.files.iter().find(|f| f.kind == FileKind::Audio) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "this call was uploaded as a transcript, without a recording",
        ));
    };
    // ServeFile answers range requests, which the audio player needs to seek.
    let path = app.workspace.call_dir(&call.id).join(&file.stored_name);
    let response = tower_http::services::ServeFile::new(path)
        .oneshot(request)
        .await
        .map_err(ApiError::internal)?;
    Ok(response.into_response())
}

/// A finished call's debrief, parsed; 409 while there is none.
async fn parsed_debrief(
    app: &Arc<App>,
    user: &User,
    id: String,
) -> Result<(CallRecord, Debrief), ApiError> {
    let (call, bytes) = debrief_of(app, user, id).await?;
    let debrief = serde_json::from_slice(&bytes).map_err(ApiError::internal)?;
    Ok((call, debrief))
}

#[derive(Deserialize)]
struct RoleCorrection {
    speaker: String,
    role: String,
}

/// Corrects a speaker's role and re-analyses the call from its kept transcript.
async fn correct_role(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
    Path(id): Path<String>,
    Json(body): Json<RoleCorrection>,
) -> Result<Response, ApiError> {
    let (call, debrief) = parsed_debrief(&app, &user, id).await?;
    let role: swimlane::model::Role = body
        .role
        .parse()
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("{e}")))?;
    if !debrief.speakers.iter().any(|s| s.name == body.speaker) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("nobody called {} speaks on this call", body.speaker),
        ));
    }
    let (by, at) = (user.name.clone(), now());
    let id = call.id.clone();
    blocking(&app, move |store| {
        store.set_role(&id, &body.speaker, role.as_str(), &by, &at)
    })
    .await?;
    app.queue.notify();
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "status": "queued" })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct EventFeedback {
    /// The event's position in the debrief's `events`.
    event: usize,
    note: Option<String>,
}

/// Marks a debrief's event as wrong, kept as feedback for tuning the lexicons.
async fn mark_event_wrong(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
    Path(id): Path<String>,
    Json(body): Json<EventFeedback>,
) -> Result<Response, ApiError> {
    let (call, debrief) = parsed_debrief(&app, &user, id).await?;
    let event = debrief.events.get(body.event).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "the debrief has {} events; `event` counts from 0",
                debrief.events.len()
            ),
        )
    })?;
    let feedback = Feedback {
        call_id: call.id.clone(),
        kind: event.kind.as_str().to_string(),
        rule: event.rule.clone(),
        turn: u32::try_from(event.turn).unwrap_or(u32::MAX),
        evidence: event.evidence.clone(),
        note: body
            .note
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        by: user.name.clone(),
        at: now(),
    };
    blocking(&app, move |store| store.add_feedback(&feedback)).await?;
    Ok(StatusCode::CREATED.into_response())
}

/// Every event marked wrong on the calls this user may see, for lexicon tuning.
async fn export_feedback(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
) -> Result<Response, ApiError> {
    let visible: std::collections::BTreeSet<String> = app
        .visible_calls(&user)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut feedback = blocking(&app, |store| store.feedback()).await?;
    feedback.retain(|f| visible.contains(&f.call_id));
    Ok(Json(serde_json::json!({ "feedback": feedback })).into_response())
}

#[derive(Deserialize)]
struct NoteBody {
    text: String,
}

async fn add_note(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
    Path(id): Path<String>,
    Json(body): Json<NoteBody>,
) -> Result<Response, ApiError> {
    let call = visible_call(&app, &user, id).await?;
    let text = body.text.trim().to_string();
    if text.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the note is empty",
        ));
    }
    let note = Note {
        by: user.name.clone(),
        at: now(),
        text,
    };
    blocking(&app, move |store| store.add_note(&call.id, &note)).await?;
    Ok(StatusCode::CREATED.into_response())
}

async fn list_notes(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let call = visible_call(&app, &user, id).await?;
    let notes = blocking(&app, move |store| store.notes(&call.id)).await?;
    Ok(Json(serde_json::json!({ "notes": notes })).into_response())
}

#[derive(Deserialize)]
struct OutcomeBody {
    outcome: String,
}

/// Records how the deal ended; a manager's call to make.
async fn record_outcome(
    State(app): State<Arc<App>>,
    Signed(user): Signed,
    Path(id): Path<String>,
    Json(body): Json<OutcomeBody>,
) -> Result<Response, ApiError> {
    let call = visible_call(&app, &user, id).await?;
    if user.role != UserRole::Manager {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "only a manager records a deal's outcome",
        ));
    }
    let outcome: swimlane::review::Outcome = body
        .outcome
        .parse()
        .map_err(|e: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e))?;
    let (by, at) = (user.name.clone(), now());
    blocking(&app, move |store| {
        store.set_outcome(&call.id, outcome.as_str(), &by, &at)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_by_itself_after_its_lifetime_and_is_then_forgotten() {
        let sessions = Sessions::lasting(Duration::from_millis(500));
        let first = sessions.start("token-1");
        assert_eq!(sessions.token(&first).as_deref(), Some("token-1"));
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(sessions.token(&first), None);
        let second = sessions.start("token-2");
        assert_eq!(sessions.token(&second).as_deref(), Some("token-2"));
        assert_eq!(
            sessions.live.lock().unwrap().len(),
            1,
            "the ended session is forgotten"
        );
    }
}
