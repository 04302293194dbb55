//! `/escalation`: what a protocol's escalation rule recommends from the outcomes in the served
//! trial state, in the command line's words, whether the recommended level is opened, and
//! BOIN's count table. The page reads; it never writes the trial state.

use std::sync::Arc;

use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use celldose::escalation::{Assessment, Design};
use maud::{Markup, html};

use crate::Site;
use crate::accounts::Visitor;
use crate::pages::{page, problem};
use crate::work::{self, Fields};

/// The most rows of BOIN's count table shown.
const TABLE_MAX_N: u32 = 60;

pub(crate) async fn view(
    State(site): State<Arc<Site>>,
    Extension(visitor): Extension<Visitor>,
    Query(query): Query<Fields>,
) -> Response {
    let catalogue = match work::catalogue(&site) {
        Ok(catalogue) => catalogue,
        Err(refusal) => return problem(refusal.status(), "Not available", &refusal.message),
    };
    let Some(id) = work::value(&query, "protocol") else {
        let escalating: Vec<&celldose::Protocol> = catalogue
            .protocols()
            .iter()
            .filter(|p| p.arms().iter().any(|a| a.regimen().escalation().is_some()))
            .collect();
        let body = html! {
            h1 { "Escalation" }
            p { "What each protocol's escalation rule recommends for the next cohort, from the cohort outcomes in the trial state. celldose recommends only: opening a level is a decision recorded in the trial state file." }
            ul {
                @for protocol in &escalating {
                    li { a href={ "/escalation?protocol=" (protocol.id()) } { (protocol.id()) } " — " (protocol.title()) }
                }
            }
        };
        return page("Escalation", Some(&visitor), body).into_response();
    };
    let assessment = Assessment::of_protocol(
        &catalogue,
        id,
        work::value(&query, "arm"),
        None,
        work::value(&query, "final").is_some(),
    );
    match assessment {
        Ok(assessment) => page("Escalation", Some(&visitor), result(&assessment)).into_response(),
        Err(error) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "No escalation decision",
            &error.to_string(),
        ),
    }
}

fn result(assessment: &Assessment<'_>) -> Markup {
    let decision = assessment.decision();
    let opened = assessment.next_level_opened();
    html! {
        h1 { "Escalation" }
        div.verdict.verdict-review role="status" id="decision" {
            p.verdict-words {
                (decision.step().as_str().to_uppercase())
                @if let Some(next) = decision.next_level() { ": the next cohort at level " (next) }
            }
            p.verdict-detail {
                "Recommended: "
                @match decision.recommended_level() {
                    Some(level) => { "level " (level) }
                    None => "no dose",
                }
                @match opened {
                    Some(true) => ". The trial state records that level as opened.",
                    Some(false) => strong { ". That level is NOT opened in the trial state: opening it is a decision to record there first." },
                    None => "",
                }
            }
        }
        h2 { "As the command line prints it" }
        pre.printout tabindex="0" { (assessment.text()) }
        @if let Design::Boin(boin) = assessment.design() {
            @let max_n = boin.max_n().unwrap_or(30).min(TABLE_MAX_N);
            @let rows = boin.boundaries(max_n);
            h2 { "BOIN's count table" }
            p { "Target DLT rate " (boin.target()) " (φ1 " (boin.phi1()) ", φ2 " (boin.phi2()) "), cohorts of " (boin.cohort_size()) ": λe = " (boin.lambda_e()) ", λd = " (boin.lambda_d()) ". NA: no count up to that number treated." }
            div.scroll tabindex="0" {
                table.boundaries {
                    tr { th scope="row" { "Number of patients treated" } @for row in &rows { td { (row.n) } } }
                    tr { th scope="row" { "Escalate if # of DLT ≤" } @for row in &rows { td { (row.escalate_at_most) } } }
                    tr { th scope="row" { "De-escalate if # of DLT ≥" } @for row in &rows { td { (na(row.de_escalate_at_least)) } } }
                    tr { th scope="row" { "Eliminate if # of DLT ≥" } @for row in &rows { td { (na(row.eliminate_at_least)) } } }
                }
            }
        }
    }
}

fn na(value: Option<u32>) -> String {
    value.map_or_else(|| "NA".to_owned(), |v| v.to_string())
}
