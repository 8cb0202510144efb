//! Behaviour tests of the SHIPPED lexicons: small calls in our own words for each event type
//! and qualification item, covering both what must be found and the hard negatives the method
//! names (pricing words in a handoff, the buyer's own cloud bill, a buyer asking to see
//! something, rescue-like words from the wrong person, vague next steps...).
//!
//! These are tests of generalisation: the wording is deliberately varied and is not taken from
//! any corpus call. Cases the detectors get wrong are kept, marked `#[ignore = "BUG: ..."]`.

mod common;

use common::{AE, BUYER, BUYER2, SE, timed, transcript};
use std::sync::LazyLock;
use swimlane::analyze::{Settings, analyze};
use swimlane::charter::Charter;
use swimlane::debrief::{Debrief, EventKind, QualItem};
use swimlane::lexicon::Lexicon;
use swimlane::model::{DeclaredParticipant, Role, Transcript};

static SHIPPED: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::load(&[]).expect("shipped lexicons load"));

fn analyze_transcript(t: &Transcript) -> Debrief {
    let charter = Charter::default();
    let settings = Settings {
        lexicon: &SHIPPED,
        charter: &charter,
        roles: &[],
        call_type: None,
    };
    analyze(t, Some("test"), &settings)
}

fn call(turns: &[(&str, &str)]) -> Debrief {
    analyze_transcript(&transcript(turns))
}

/// Turns on which events of `kind` sit.
fn at(d: &Debrief, kind: EventKind) -> Vec<usize> {
    d.events_of(kind).map(|e| e.turn).collect()
}

fn none() -> Vec<usize> {
    Vec::new()
}

/// `(turn, from, to, deferred)` of every handoff.
fn handoffs(d: &Debrief) -> Vec<(usize, Role, Role, bool)> {
    d.events_of(EventKind::Handoff)
        .map(|e| {
            let h = e
                .handoff
                .as_ref()
                .expect("a handoff says who passed to whom");
            (e.turn, h.from, h.to, h.deferred)
        })
        .collect()
}

fn covered(d: &Debrief, item: QualItem) -> bool {
    d.qualification.get(item).covered
}

/// Whether a buyer saying `text` (after a vendor question) establishes `item`.
fn buyer_says(item: QualItem, text: &str) -> bool {
    let d = call(&[
        (AE, "Tell me a bit more about where things stand."),
        (BUYER, text),
        (AE, "Thanks, that helps."),
    ]);
    covered(&d, item)
}

// ---------------------------------------------------------------------------------------------
// se_pricing

/// The SE answers a buyer's commercial question with `answer`; returns the se_pricing turns.
fn se_answers_price_question(answer: &str) -> Vec<usize> {
    let d = call(&[
        (
            BUYER,
            "So what are we looking at commercially for something like this?",
        ),
        (SE, answer),
        (AE, "Let me add some context on that."),
    ]);
    at(&d, EventKind::SePricing)
}

#[test]
fn se_quoting_a_price_is_se_pricing() {
    for answer in [
        "The platform edition lists at $45,000 a year for your footprint.",
        "You'd be looking at roughly 60k annually for the enterprise tier.",
        "Each extra seat is nine euros a month on top of the base plan.",
        "Most teams your size end up around two hundred thousand a year on that edition.",
    ] {
        assert_eq!(se_answers_price_question(answer), [1], "{answer}");
    }
}

#[test]
fn se_giving_a_per_seat_figure_is_se_pricing() {
    for answer in [
        "Seats come to about nineteen dollars per user per month.",
        "It works out to 12 dollars a seat.",
        "Honestly it's something like thirty five bucks a month each.",
    ] {
        assert_eq!(se_answers_price_question(answer), [1], "{answer}");
    }
}

#[test]
fn se_discussing_discounts_is_se_pricing() {
    for answer in [
        "We can usually knock a bit off if you sign before the quarter closes.",
        "Honestly we could probably discount that by fifteen percent for a three year term.",
        "I'd expect twenty percent off is realistic at that volume.",
        "Multi-year deals typically get a discount of ten to fifteen percent.",
    ] {
        assert_eq!(se_answers_price_question(answer), [1], "{answer}");
    }
}

#[test]
fn se_stating_payment_terms_is_se_pricing() {
    for answer in [
        "Invoices are net 60, so there's no rush on your side.",
        "Most customers just pay annually, up front.",
        "You can be billed quarterly if that suits your finance team better.",
    ] {
        assert_eq!(se_answers_price_question(answer), [1], "{answer}");
    }
}

#[test]
fn se_giving_something_away_is_se_pricing() {
    for answer in [
        "I'm sure we could throw in the premium support tier for free.",
        "We can include the sandbox environment at no extra cost.",
        "We'd waive the onboarding fee if that gets it over the line.",
    ] {
        assert_eq!(se_answers_price_question(answer), [1], "{answer}");
    }
}

#[test]
fn se_per_head_price_on_a_plan_is_se_pricing() {
    assert_eq!(
        se_answers_price_question("Seat price is forty a head on the starter plan."),
        [1]
    );
}

#[test]
fn se_hinting_at_a_better_price_is_se_pricing() {
    for answer in [
        "I think we could do better on price if you go for two years.",
        "Honestly, we normally give a chunky discount at this size.",
    ] {
        assert_eq!(se_answers_price_question(answer), [1], "{answer}");
    }
}

#[test]
fn se_payment_terms_without_a_verb_are_se_pricing() {
    assert_eq!(
        se_answers_price_question("Payment terms are normally annual in advance."),
        [1]
    );
}

#[test]
fn se_renewal_increase_is_se_pricing() {
    assert_eq!(
        se_answers_price_question("Renewals go up by three percent at most."),
        [1]
    );
}

#[test]
fn se_deflecting_pricing_to_the_ae_is_a_handoff_not_se_pricing() {
    let d = call(&[
        (
            BUYER,
            "What would the licensing look like for two hundred people?",
        ),
        (
            SE,
            "Fair question, but I'll let Maya cover pricing, she owns the commercial side.",
        ),
        (AE, "Happy to, I'll walk you through the options."),
    ]);
    assert_eq!(at(&d, EventKind::SePricing), none());
    assert_eq!(handoffs(&d), [(1, Role::Se, Role::Ae, false)]);
    let topic = &d.events_of(EventKind::Handoff).next().unwrap();
    assert_eq!(topic.handoff.as_ref().unwrap().topic, "pricing");

    let d = call(&[
        (BUYER, "Is there a nonprofit discount?"),
        (
            SE,
            "That one is really a question for Maya, she handles our commercial terms.",
        ),
        (AE, "There is, and I'll send the details."),
    ]);
    assert_eq!(at(&d, EventKind::SePricing), none());
    assert_eq!(handoffs(&d), [(1, Role::Se, Role::Ae, false)]);
}

#[test]
fn prospect_talking_price_is_not_se_pricing() {
    let d = call(&[
        (
            BUYER,
            "We pay about $60,000 a year for our current tool, and we'd want at least 20% off to switch.",
        ),
        (
            BUYER2,
            "Our other vendor quoted us 30 dollars per user per month.",
        ),
        (AE, "Understood, that's useful context."),
        (SE, "Noted."),
    ]);
    assert!(d.events.is_empty(), "{:?}", d.events);
}

#[test]
fn ae_quoting_price_is_not_se_pricing() {
    let d = call(&[
        (BUYER, "What does it cost?"),
        (
            AE,
            "It lists at $30,000 a year, we can knock ten percent off for a two year term, and invoices are net 30.",
        ),
        (SE, "And technically nothing changes between the tiers."),
    ]);
    assert!(d.events.is_empty(), "{:?}", d.events);
}

#[test]
fn se_talking_about_the_prospects_own_infrastructure_cost_is_not_se_pricing() {
    for answer in [
        "Your AWS storage cost will go down once the old snapshots are pruned.",
        "Snowflake warehouse credits for that sync job should be modest on your side.",
        "GPU cost on your cloud bill mostly depends on the instance family you pick.",
        "On your side the GPU instances would run about $3 an hour each in your cloud account.",
        "Your data transfer bill should drop, because we compress everything at the edge.",
        "The transcoding latency cost is about forty milliseconds per stream.",
    ] {
        let d = call(&[
            (BUYER, "What does this do to our infrastructure?"),
            (SE, answer),
            (AE, "Good."),
        ]);
        assert_eq!(at(&d, EventKind::SePricing), none(), "{answer}");
    }
}

#[test]
fn se_talking_about_a_discount_field_is_not_se_pricing() {
    for answer in [
        "The QA script checks the discount code field before checkout.",
        "We map the discount column straight across from your order schema.",
    ] {
        let d = call(&[
            (BUYER, "How do you validate the checkout flow?"),
            (SE, answer),
            (AE, "Good."),
        ]);
        assert_eq!(at(&d, EventKind::SePricing), none(), "{answer}");
    }
}

// ---------------------------------------------------------------------------------------------
// ae_technical_depth

const AE_DEEP_1: &str = "So under the hood the agent runs as a sidecar container in every pod, tails the write-ahead log, turns each change into an event on a Kafka topic partition, and the consumer group applies them with idempotent upserts keyed on the primary key. If a node fails, the replica picks up from the last checkpoint and replays, and schema drift gets caught because we diff the DDL before every micro-batch.";
const AE_DEEP_2: &str = "On the security side, tokens are short-lived JWTs signed with keys in your KMS, key rotation runs nightly, and every API call goes through mutual TLS with a pinned CA bundle, so nothing inside your VPC talks in plaintext on any port.";

#[test]
fn ae_mechanism_level_explanation_over_consecutive_turns_is_one_episode() {
    let d = call(&[
        (BUYER, "How does the sync actually work?"), // 0
        (AE, AE_DEEP_1),                             // 1
        (BUYER, "And how is it secured?"),           // 2
        (AE, AE_DEEP_2),                             // 3
        (
            SE,
            "Let me add a little more on the replication side, since that is where most of the questions land.",
        ), // 4
    ]);
    let events: Vec<_> = d
        .events_of(EventKind::AeTechnicalDepth)
        .map(|e| (e.turn, e.span, e.role))
        .collect();
    assert_eq!(events, [(1, Some((1, 3)), Role::Ae)]);
}

#[test]
fn ae_one_long_mechanism_turn_is_ae_technical_depth() {
    let d = call(&[
        (BUYER, "Walk me through the sync."),
        (AE, AE_DEEP_1),
        (SE, "Right, and we also handle retries."),
    ]);
    let events: Vec<_> = d
        .events_of(EventKind::AeTechnicalDepth)
        .map(|e| (e.turn, e.span))
        .collect();
    assert_eq!(events, [(1, None)]);
}

#[test]
fn ae_mentioning_sso_or_the_api_at_a_high_level_is_not_depth() {
    for answer in [
        "Yes, it supports SSO out of the box, so your people log in the way they do today.",
        "Our API lets your team pull anything into your own dashboards.",
        "In short, we sit between your apps and your database, copy every change as it happens, and keep the warehouse current so finance stops waiting on overnight jobs. Omar can go deeper whenever you want.",
    ] {
        let d = call(&[
            (BUYER, "Does it fit our stack?"),
            (AE, answer),
            (SE, "Happy to show that later."),
        ]);
        assert_eq!(at(&d, EventKind::AeTechnicalDepth), none(), "{answer}");
    }
}

#[test]
fn the_se_going_deep_is_not_ae_technical_depth() {
    let d = call(&[
        (BUYER, "How does the sync actually work?"),
        (SE, AE_DEEP_1),
        (AE, "Thanks, Omar."),
    ]);
    assert_eq!(at(&d, EventKind::AeTechnicalDepth), none());
}

// ---------------------------------------------------------------------------------------------
// handoff

#[test]
fn ae_passing_a_technical_question_to_the_se_is_a_handoff() {
    for pass in [
        "Great question, Omar can walk you through the SAML setup.",
        "Omar will demo the workflow builder for you next.",
        "I'll let Omar answer that one, he built half of it.",
    ] {
        let d = call(&[
            (
                BUYER,
                "How does single sign-on work with our identity provider?",
            ),
            (AE, pass),
            (SE, "Sure, happy to."),
        ]);
        assert_eq!(handoffs(&d), [(1, Role::Ae, Role::Se, false)], "{pass}");
        assert_eq!(at(&d, EventKind::DemoMonkeyCommand), none(), "{pass}");
    }
}

#[test]
fn ae_politely_handing_the_demo_to_the_se_is_a_handoff_not_a_command() {
    let d = call(&[
        (BUYER, "Can we see how alerts get routed?"),
        (AE, "Omar, would you walk them through the alert rules?"),
        (SE, "Of course, here's the rules screen."),
    ]);
    assert_eq!(handoffs(&d), [(1, Role::Ae, Role::Se, false)]);
    assert_eq!(at(&d, EventKind::DemoMonkeyCommand), none());
    assert!(!d.flags.demo_monkey);
}

#[test]
fn se_passing_a_commercial_question_to_the_ae_is_a_handoff() {
    for pass in [
        "Let me pass that to Maya, she owns pricing.",
        "Maya is the best person to talk numbers with.",
        "I'll defer to Maya on the contract terms.",
    ] {
        let d = call(&[
            (BUYER, "And what does the enterprise tier cost?"),
            (SE, pass),
            (AE, "Sure."),
        ]);
        assert_eq!(handoffs(&d), [(1, Role::Se, Role::Ae, false)], "{pass}");
        assert_eq!(at(&d, EventKind::SePricing), none(), "{pass}");
    }
}

#[test]
fn se_asking_the_ae_directly_to_take_pricing_is_a_handoff() {
    let d = call(&[
        (BUYER, "And what does the enterprise tier cost?"),
        (SE, "Maya, do you want to take the pricing question?"),
        (AE, "Sure."),
    ]);
    assert_eq!(handoffs(&d), [(1, Role::Se, Role::Ae, false)]);
}

#[test]
fn se_leaving_the_pricing_question_to_the_ae_is_a_handoff() {
    let d = call(&[
        (BUYER, "And what does the enterprise tier cost?"),
        (SE, "I am going to leave the pricing question to Maya."),
        (AE, "Sure."),
    ]);
    assert_eq!(handoffs(&d), [(1, Role::Se, Role::Ae, false)]);
}

#[test]
fn ae_bringing_the_se_in_is_a_handoff() {
    for pass in [
        "Let me bring Omar in on the encryption question.",
        "Omar is better placed to answer the encryption question.",
    ] {
        let d = call(&[
            (BUYER, "How does encryption at rest work?"),
            (AE, pass),
            (SE, "Sure."),
        ]);
        assert_eq!(handoffs(&d), [(1, Role::Ae, Role::Se, false)], "{pass}");
    }
}

#[test]
fn handoff_to_an_absent_se_is_deferred() {
    // No SE on the call at all.
    let d = call(&[
        (BUYER, "How do you handle data residency in the EU?"),
        (
            AE,
            "I want our solutions engineer to answer that properly, so I'll bring it to our next call.",
        ),
        (BUYER, "Fine by me."),
    ]);
    assert_eq!(handoffs(&d), [(1, Role::Ae, Role::Se, true)]);

    // An SE named in the call who could not join.
    let d = call(&[
        (
            AE,
            "Omar, our solutions engineer, couldn't join today, so it's just me.",
        ),
        (BUYER, "How do you handle data residency in the EU?"),
        (
            AE,
            "That's a question for Omar, I'll get him on our next call.",
        ),
    ]);
    assert_eq!(handoffs(&d), [(2, Role::Ae, Role::Se, true)]);
}

#[test]
fn handoff_to_an_absent_ae_is_deferred() {
    let mut t = transcript(&[
        (BUYER, "What would a licence cost us?"),
        (
            SE,
            "Pricing is really Maya's call, she'll follow up with you by email.",
        ),
        (BUYER, "Fine."),
    ]);
    t.participants.push(DeclaredParticipant {
        name: AE.into(),
        role: Some(Role::Ae),
        title: None,
        identified: None,
    });
    let d = analyze_transcript(&t);
    assert_eq!(handoffs(&d), [(1, Role::Se, Role::Ae, true)]);
    assert_eq!(at(&d, EventKind::SePricing), none());
}

// ---------------------------------------------------------------------------------------------
// rescue_phrase

const SE_DEEP: &str = "Every node runs a daemonset that scrapes the Prometheus endpoint, batches spans over gRPC with mutual TLS, and applies tail sampling before the exporters push to your collector.";

/// The SE goes deep, then `who` says `text`; returns the rescue_phrase turns.
fn after_se_deep_dive(who: &str, text: &str, rescue_phrase: Option<&str>) -> Vec<usize> {
    let mut t = transcript(&[
        (BUYER, "How does it get deployed?"),
        (SE, SE_DEEP),
        (who, text),
        (BUYER, "Okay."),
    ]);
    t.rescue_phrase = rescue_phrase.map(String::from);
    at(&analyze_transcript(&t), EventKind::RescuePhrase)
}

#[test]
fn ae_using_the_rescue_phrase_after_an_se_deep_dive_is_a_rescue() {
    for text in [
        "Taking a step back conceptually, this means your team sees one picture of every incident.",
        "Can I take a step back conceptually for a second? What this means for you is fewer pages at night.",
        "Let's zoom out for a moment: what matters is the on-call load.",
    ] {
        let d = after_se_deep_dive(AE, text, None);
        assert_eq!(d, [2], "{text}");
    }
}

#[test]
fn rescue_phrase_needs_an_se_deep_dive_before_it() {
    let d = call(&[
        (BUYER, "How does it get deployed?"),
        (SE, "We install it in about a day."),
        (
            AE,
            "Taking a step back conceptually, this means your team sees one picture of every incident.",
        ),
        (BUYER, "Okay."),
    ]);
    assert_eq!(at(&d, EventKind::RescuePhrase), none());
}

#[test]
fn rescue_like_words_from_others_are_not_a_rescue() {
    assert_eq!(
        after_se_deep_dive(
            SE,
            "If I take a step back and explain, the collector is really just a relay.",
            None
        ),
        none()
    );
    assert_eq!(
        after_se_deep_dive(BUYER, "Can you zoom out on that chart for a second?", None),
        none()
    );
    assert_eq!(
        after_se_deep_dive(
            BUYER,
            "We took a step back conceptually on returns last year, so that matters to us.",
            None
        ),
        none()
    );
    assert_eq!(
        after_se_deep_dive(
            BUYER2,
            "Let me step back to the business side for a moment.",
            None
        ),
        none()
    );
}

#[test]
fn the_calls_own_rescue_phrase_counts() {
    let custom = "Helicopter view for a moment";
    let text = "Quick helicopter view, for a moment: this gives your leads one place to look.";
    assert_eq!(after_se_deep_dive(AE, text, Some(custom)), [2]);
    // The same words are no rescue when they are not the pair's phrase.
    assert_eq!(after_se_deep_dive(AE, text, None), none());
}

// ---------------------------------------------------------------------------------------------
// next_step

#[test]
fn dated_proposal_accepted_by_the_buyer_is_a_next_step() {
    for (proposal, acceptance) in [
        (
            "Shall we put the pilot kickoff on Tuesday the 3rd at 10am?",
            "Tuesday the 3rd at 10am is fine, send the invite.",
        ),
        (
            "How about we get your security team on a call Monday the 16th at 11?",
            "Monday the 16th at 11 is perfect.",
        ),
        (
            "Would March 3rd work for the readout?",
            "Yes, March 3rd works for us.",
        ),
        (
            "Should we pencil in Wednesday the 4th for the pilot kickoff?",
            "Sure, pencil us in.",
        ),
    ] {
        let d = call(&[
            (BUYER, "This looks promising."),
            (AE, proposal),
            (BUYER, acceptance),
            (AE, "Great, talk then."),
        ]);
        let events: Vec<_> = d
            .events_of(EventKind::NextStep)
            .map(|e| (e.turn, e.span))
            .collect();
        assert_eq!(events, [(2, Some((1, 2)))], "{proposal} / {acceptance}");
        assert!(d.next_step.secured);
        assert_eq!(d.next_step.turn, Some(2));
        assert!(d.next_step.before_cta, "agreed in the first minute");
    }
}

#[test]
fn next_step_after_minute_55_is_late() {
    let late = |proposal_at: u64, acceptance_at: u64| {
        let d = analyze_transcript(&timed(&[
            (proposal_at - 20, BUYER, "We're nearly out of time."),
            (
                proposal_at,
                AE,
                "Could we book the technical workshop for Thursday the 12th at 2pm?",
            ),
            (
                acceptance_at,
                BUYER,
                "Thursday the 12th at 2pm works for us.",
            ),
        ]));
        assert!(d.next_step.secured);
        assert_eq!(d.next_step.turn, Some(2));
        d.next_step.before_cta
    };
    assert!(late(3200, 3250), "agreed at 54:10");
    assert!(!late(3290, 3310), "accepted at 55:10, after minute 55");
    assert!(!late(3400, 3420));
}

#[test]
fn vague_endings_are_not_a_next_step() {
    for (proposal, reply) in [
        (
            "Let's circle back next quarter once budgets settle.",
            "Sure, sounds good.",
        ),
        (
            "Can we find time next week sometime to go over the results?",
            "Yes, sure.",
        ),
        (
            "Let's get something on the calendar after the holidays.",
            "Sounds good.",
        ),
        ("Send it over and I'll take a look.", "Will do."),
    ] {
        let d = call(&[(AE, proposal), (BUYER, reply), (AE, "Great.")]);
        assert_eq!(at(&d, EventKind::NextStep), none(), "{proposal}");
        assert!(!d.next_step.secured, "{proposal}");
    }
}

#[test]
fn a_declined_date_is_not_a_next_step() {
    let d = call(&[
        (AE, "Could we meet on Friday the 6th at 11am?"),
        (BUYER, "Friday the 6th doesn't work, I'm out that day."),
        (AE, "No problem."),
    ]);
    assert!(!d.next_step.secured);
}

// ---------------------------------------------------------------------------------------------
// demo_monkey_command

#[test]
fn ae_ordering_the_se_around_is_demo_monkey() {
    let d = call(&[
        (AE, "Omar, pull up the escalation dashboard."), // 0
        (SE, "Sure, here it is."),                       // 1
        (AE, "Now click into the billing service."),     // 2
        (SE, "Okay."),                                   // 3
        (AE, "Scroll down to the error budget."),        // 4
        (BUYER, "Interesting."),                         // 5
        (AE, "Okay, type acme into the search box."),    // 6
        (SE, "Done."),                                   // 7
        (AE, "Switch over to the mobile view."),         // 8
    ]);
    assert_eq!(at(&d, EventKind::DemoMonkeyCommand), [0, 2, 4, 6, 8]);
    assert!(d.flags.demo_monkey);
}

/// Speech recognition mishears names and runs sentences together with commas; the commands
/// are still commands when the misheard name sounds like the SE's and the SE answers.
#[test]
fn commands_to_a_misheard_se_and_run_on_commands_are_demo_monkey() {
    let d = call(&[
        (AE, "Absolutely, Omer, show them the sync schedule."), // 0
        (SE, "Sure, every fifteen minutes."),                   // 1
        (
            AE,
            "You get an alert before anyone notices, scroll down, show them the schema log.",
        ), // 2
        (SE, "Here it is."),                                    // 3
    ]);
    assert_eq!(at(&d, EventKind::DemoMonkeyCommand), [0, 2]);
}

#[test]
fn a_sound_alike_word_is_no_name_unless_that_person_speaks_next() {
    let d = call(&[
        (AE, "Absolutely, Omer, show them the sync schedule."),
        (BUYER, "Who is Omer?"),
        (AE, "When you scroll down the page it loads more."),
        (SE, "Right."),
    ]);
    assert_eq!(at(&d, EventKind::DemoMonkeyCommand), none());
}

#[test]
fn one_command_is_an_event_but_not_the_flag() {
    let d = call(&[
        (AE, "Omar, open the audit log."),
        (SE, "Here it is."),
        (BUYER, "Nice."),
    ]);
    assert_eq!(at(&d, EventKind::DemoMonkeyCommand), [0]);
    assert!(!d.flags.demo_monkey, "the flag needs at least two commands");
}

#[test]
fn buyer_asking_to_see_something_is_not_demo_monkey() {
    let d = call(&[
        (
            BUYER,
            "Can you show the reports? Maybe pull up the weekly summary?",
        ),
        (SE, "Sure, here they are."),
        (AE, "Good idea."),
    ]);
    assert_eq!(at(&d, EventKind::DemoMonkeyCommand), none());
    assert!(!d.flags.demo_monkey);
}

#[test]
fn ae_commands_with_no_se_on_the_call_are_not_demo_monkey() {
    let d = call(&[
        (AE, "Pull up the escalation dashboard on your side."),
        (BUYER, "Okay."),
        (AE, "Click into the billing service."),
        (BUYER, "Got it."),
    ]);
    assert_eq!(at(&d, EventKind::DemoMonkeyCommand), none());
}

#[test]
fn ae_telling_a_buyer_where_to_click_is_not_demo_monkey() {
    let d = call(&[
        (
            AE,
            "Hannah, go to the settings page on your laptop and you'll see it.",
        ),
        (SE, "Yes, it's under the admin menu."),
        (BUYER, "Found it."),
    ]);
    assert_eq!(at(&d, EventKind::DemoMonkeyCommand), none());
}

#[test]
fn command_after_a_filler_and_the_se_name_is_demo_monkey() {
    let d = call(&[
        (AE, "Okay Omar, now go back to the home page."),
        (SE, "Sure."),
        (BUYER, "Hmm."),
    ]);
    assert_eq!(at(&d, EventKind::DemoMonkeyCommand), [0]);
}

#[test]
fn other_ui_orders_are_demo_monkey() {
    for order in [
        "Hit the export button.",
        "Expand that row for them.",
        "Sort that column by severity.",
        "Pull that up for them.",
    ] {
        let d = call(&[(AE, order), (SE, "Okay."), (BUYER, "Hmm.")]);
        assert_eq!(at(&d, EventKind::DemoMonkeyCommand), [0], "{order}");
    }
}

// ---------------------------------------------------------------------------------------------
// qualification

#[test]
fn budget_confirmed_versus_not_yet_there() {
    for yes in [
        "The budget for this is already approved.",
        "We have funding set aside for this project this year.",
        "The money is there, the CFO ring-fenced it in January.",
    ] {
        assert!(buyer_says(QualItem::Budget, yes), "{yes}");
    }
    for no in [
        "The budget is pending a vote at the board next month.",
        "We'd have to find the money somewhere.",
        "We might have budget next year if the board agrees.",
        "Honestly, there's no budget for this yet.",
    ] {
        assert!(!buyer_says(QualItem::Budget, no), "{no}");
    }
}

#[test]
fn budget_approved_in_other_words() {
    assert!(buyer_says(
        QualItem::Budget,
        "We got the money approved in March, so that part is done."
    ));
}

#[test]
fn budget_said_by_the_vendor_does_not_count() {
    let d = call(&[
        (AE, "I assume the budget is already approved?"),
        (BUYER, "We'll see."),
    ]);
    assert!(!covered(&d, QualItem::Budget));
}

#[test]
fn timeline_under_the_horizon_versus_too_far_or_vague() {
    for yes in [
        "We want this to go live in four months.",
        "Our audit is in eight weeks, so this has to be live before then.",
        "The current contract ends in March, so we need to decide by February.",
    ] {
        assert!(buyer_says(QualItem::Timeline, yes), "{yes}");
    }
    for no in [
        "The rollout would start in fourteen months.",
        "The launch is in 18 months.",
        "Sometime next year, maybe.",
        "There's no rush on our side, honestly.",
    ] {
        assert!(!buyer_says(QualItem::Timeline, no), "{no}");
    }
}

#[test]
fn renewal_at_the_end_of_the_quarter_is_a_timeline() {
    assert!(buyer_says(
        QualItem::Timeline,
        "Our renewal with the current vendor is up at the end of the quarter."
    ));
}

/// A call where `title` is the buyer's title.
fn with_buyer_title(title: &str) -> Debrief {
    let mut t = transcript(&[
        (AE, "Welcome, and thanks for the time."),
        (BUYER, "Thanks for having us."),
        (SE, "Glad to be here."),
    ]);
    for p in &mut t.participants {
        if p.name == BUYER {
            p.title = Some(title.into());
        }
    }
    analyze_transcript(&t)
}

#[test]
fn sponsor_by_vp_title_in_the_room() {
    for title in [
        "VP of Engineering",
        "Senior Vice President, Operations",
        "Chief Information Security Officer",
        "General Manager, EMEA",
    ] {
        assert!(
            covered(&with_buyer_title(title), QualItem::Sponsor),
            "{title}"
        );
    }
    for title in [
        "Director of IT",
        "Engineering Manager",
        "Head of Security",
        "Product Manager",
    ] {
        assert!(
            !covered(&with_buyer_title(title), QualItem::Sponsor),
            "{title}"
        );
    }
}

#[test]
fn sponsor_by_a_named_executive_backing_it() {
    assert!(buyer_says(
        QualItem::Sponsor,
        "Our VP of Operations is sponsoring this project."
    ));
    assert!(buyer_says(
        QualItem::Sponsor,
        "Our CFO asked us to find a fix for this."
    ));
    assert!(!buyer_says(
        QualItem::Sponsor,
        "Our CIO hasn't seen any of this yet."
    ));
    assert!(!buyer_says(QualItem::Sponsor, "My director likes it."));
}

#[test]
fn sponsor_title_of_someone_who_never_speaks_does_not_count() {
    let mut t = transcript(&[(AE, "Welcome."), (BUYER, "Thanks for having us.")]);
    t.participants.push(DeclaredParticipant {
        name: "Rita Vance".into(),
        role: Some(Role::Prospect),
        title: Some("VP Finance".into()),
        identified: None,
    });
    assert!(!covered(&analyze_transcript(&t), QualItem::Sponsor));
}

#[test]
fn pain_with_a_cost_versus_a_complaint() {
    for yes in [
        "These outages cost us about $50,000 a month in SLA credits.",
        "We lose around 20 hours a week reconciling orders by hand.",
        "We had 14 incidents last quarter because alerts got missed.",
        "Month-end close takes us about two days of manual work every month.",
    ] {
        assert!(buyer_says(QualItem::Pain, yes), "{yes}");
    }
    for no in [
        "It's annoying, honestly.",
        "Our reports are slow and it's frustrating.",
        "We'd like something more modern.",
    ] {
        assert!(!buyer_says(QualItem::Pain, no), "{no}");
    }
}

#[test]
fn a_price_question_is_not_pain() {
    assert!(!buyer_says(
        QualItem::Pain,
        "What would the licence cost for 200 people?"
    ));
}

#[test]
fn churned_customers_are_pain() {
    assert!(buyer_says(
        QualItem::Pain,
        "We churned three enterprise customers last quarter over this."
    ));
}

#[test]
fn competitors_named_versus_tools_in_use() {
    for yes in [
        "We're also evaluating Acme and Globex.",
        "Honestly we're looking at PagerDuty as well.",
        "We had a demo with Northwind last week.",
        "We could probably build this ourselves.",
        "We're talking to a couple of other vendors.",
    ] {
        assert!(buyer_says(QualItem::Competitors, yes), "{yes}");
    }
    for no in [
        "We use Slack for everything.",
        "Our team uses Okta and Datadog.",
        "We're not looking at anyone else right now.",
    ] {
        assert!(!buyer_says(QualItem::Competitors, no), "{no}");
    }
}

#[test]
fn qualification_said_by_the_vendor_is_not_established() {
    let d = call(&[
        (
            AE,
            "Most teams like yours are also evaluating Acme, and lose 20 hours a week to this.",
        ),
        (
            SE,
            "And usually the budget is already approved before they go live in four months.",
        ),
        (BUYER, "Maybe."),
    ]);
    for item in QualItem::ALL {
        assert!(!covered(&d, item), "{item:?} said by the vendor");
    }
}
