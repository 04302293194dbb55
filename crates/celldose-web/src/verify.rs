//! `/verify?record=SEQ`: the independent double check on the page. The form shows what the
//! preparation was for (protocol, arm, level, patient) and who made it, and none of its figures;
//! the verifier enters them again from the sources; celldose computes again, compares every
//! figure, records the verification, and shows the worksheet with both signatures, or the
//! differences and nothing released.

use std::sync::Arc;

use axum::extract::{Extension, Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use celldose::audit::Preparation;
use celldose::double_check::DoubleCheck;
use maud::{Markup, html};

use crate::Site;
use crate::accounts::Visitor;
use crate::pages::{self, Checked, Signature, Signatures, page, problem};
use crate::work::{self, Fields, Kind};

/// The fields a verification takes from the preparation's record, shown and not entered again:
/// what the dose is for, not a figure worked out from the sources.
const CARRIED: [&str; 7] = [
    "protocol",
    "arm",
    "level",
    "patient",
    "on",
    "rounding",
    "acknowledge",
];

/// The preparation record `seq`, read back from the site's log off the server's async threads.
async fn preparation(site: &Site, seq: &str) -> Result<(Preparation, Kind), Box<Response>> {
    let Some(recorder) = &site.recorder else {
        return Err(Box::new(problem(
            StatusCode::NOT_FOUND,
            "Nothing to verify",
            "this page keeps no audit log, so no preparation can be verified here; serve it with --audit-log",
        )));
    };
    let Ok(seq) = seq.trim().parse::<u64>() else {
        return Err(Box::new(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Nothing to verify",
            &format!(
                "record {}: give the record's sequence number, as the worksheet prints it",
                celldose::text::Shown(seq)
            ),
        )));
    };
    let (path, key) = (recorder.path().to_owned(), recorder.key().cloned());
    let read = tokio::task::spawn_blocking(move || Preparation::read(&path, seq, key.as_ref()))
        .await
        .map_err(|e| e.to_string())
        .and_then(|read| read.map_err(|e| e.to_string()));
    let preparation = read.map_err(|message| {
        problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Nothing to verify",
            &message,
        )
    })?;
    let kind = match preparation.record().command() {
        "check" => Kind::Check,
        _ => Kind::Prepare,
    };
    Ok((preparation, kind))
}

/// Refused before any figure is entered: the verifier prepared it, or may not verify.
fn may_verify(preparation: &Preparation, visitor: &Visitor) -> Result<(), Box<Response>> {
    let Some(verifier) = &visitor.signer else {
        return Err(Box::new(problem(
            StatusCode::FORBIDDEN,
            "Not verified",
            "nobody is named on this page, so no independent check can be recorded; serve it with --users",
        )));
    };
    DoubleCheck::may_verify(preparation, verifier)
        .map(|_| ())
        .map_err(|error| {
            Box::new(problem(
                StatusCode::FORBIDDEN,
                "Not verified",
                &error.to_string(),
            ))
        })
}

/// What the form shows of the preparation: what it is for and who made it.
fn preparation_summary(preparation: &Preparation) -> Markup {
    let record = preparation.record();
    html! {
        table.worksheet-summary id="preparation" {
            @for name in CARRIED {
                @if let Some(value) = record.input_named(name) {
                    tr { th { (if name == "protocol" { "Protocol" } else { pages::label(name).0 }) } td { (celldose::text::inert(value)) } }
                }
            }
            tr { th { "Prepared by" } td { (record.signer().map(pages::signed).unwrap_or_default()) " at " (record.time()) ", record " (record.seq()) } }
        }
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct Asked {
    record: String,
}

/// `GET /verify?record=SEQ`: the form to work the preparation out again.
pub(crate) async fn form(
    State(site): State<Arc<Site>>,
    Extension(visitor): Extension<Visitor>,
    Query(asked): Query<Asked>,
) -> Response {
    let (preparation, kind) = match preparation(&site, &asked.record).await {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    if let Err(refused) = may_verify(&preparation, &visitor) {
        return *refused;
    }
    page(
        "Verify",
        Some(&visitor),
        verify_form(&visitor, &preparation, kind, &Fields::new(), None),
    )
    .into_response()
}

fn verify_form(
    visitor: &Visitor,
    preparation: &Preparation,
    kind: Kind,
    fields: &Fields,
    refusal: Option<&str>,
) -> Markup {
    let seq = preparation.record().seq();
    html! {
        h1 { "Verify record " (seq) ": " (pages::title(kind).to_lowercase()) }
        p { "Work this dose out again from the sources (the chart's weight, the order, the certificate, the bag labels), not from the first worksheet. Each figure is compared with the preparation's; nothing is released unless all agree." }
        (preparation_summary(preparation))
        @if let Some(message) = refusal {
            p.refusal role="alert" id="refusal" { (message) }
        }
        form.calculation method="post" action="/verify" {
            input type="hidden" name="token" value=(visitor.token);
            input type="hidden" name="record" value=(seq);
            @for name in kind.fields().into_iter().filter(|name| !CARRIED.contains(name)) {
                @let (text, hint) = pages::label(name);
                @let current = fields.get(name).map(String::as_str).unwrap_or_default();
                div.field {
                    label for=(name) { (text) }
                    @if name == "product_file" {
                        textarea id=(name) name=(name) rows="8" placeholder=(hint) spellcheck="false" { (celldose::text::inert(current)) }
                    } @else {
                        input type="text" id=(name) name=(name) value=(celldose::text::inert(current)) placeholder=(hint) autocomplete="off";
                    }
                }
            }
            button type="submit" { "Verify" }
        }
    }
}

/// `POST /verify`: computes again, compares, records, and shows the outcome.
pub(crate) async fn submit(
    State(site): State<Arc<Site>>,
    Extension(visitor): Extension<Visitor>,
    headers: HeaderMap,
    Form(posted): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(reason) = crate::guard::cross_site(&headers, &site.hosts) {
        return problem(StatusCode::FORBIDDEN, "Refused", reason);
    }
    let mut fields = match crate::pages::posted_once(posted) {
        Ok(fields) => fields,
        Err(refused) => return *refused,
    };
    if fields.remove("token").as_deref() != Some(visitor.token.as_str()) {
        return problem(
            StatusCode::FORBIDDEN,
            "Refused",
            "the form does not carry this page's token: it is out of date or came from another page; open it again",
        );
    }
    let asked = fields.remove("record").unwrap_or_default();
    let (preparation, kind) = match preparation(&site, &asked).await {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    if let Err(refused) = may_verify(&preparation, &visitor) {
        return *refused;
    }
    let Some(verifier) = visitor.signer.clone() else {
        return problem(
            StatusCode::FORBIDDEN,
            "Not verified",
            "nobody is named on this page",
        );
    };
    // What the dose is for comes from the record, never from the form.
    for name in CARRIED {
        fields.remove(name);
        if let Some(value) = preparation.record().input_named(name) {
            fields.insert(name.to_owned(), value.to_owned());
        }
    }
    let catalogue = match work::catalogue(&site) {
        Ok(catalogue) => catalogue,
        Err(refusal) => return problem(refusal.status(), "Not verified", &refusal.message),
    };
    let outcome = match work::compute(&catalogue, kind, &fields) {
        Ok(outcome) => outcome,
        Err(refusal) => {
            let shown: Fields = fields
                .into_iter()
                .filter(|(name, _)| !CARRIED.contains(&name.as_str()))
                .collect();
            return (
                refusal.status(),
                page(
                    "Verify",
                    Some(&visitor),
                    verify_form(&visitor, &preparation, kind, &shown, Some(&refusal.message)),
                ),
            )
                .into_response();
        }
    };
    let report = match work::report(&outcome)
        .map_err(|e| e.to_string())
        .and_then(|raw| {
            serde_json::from_str::<serde_json::Value>(raw.get()).map_err(|e| e.to_string())
        }) {
        Ok(report) => report,
        Err(error) => return problem(StatusCode::INTERNAL_SERVER_ERROR, "Not verified", &error),
    };
    let check = match DoubleCheck::compare(&preparation, &verifier, kind.name(), &report) {
        Ok(check) => check,
        Err(error) => return problem(StatusCode::FORBIDDEN, "Not verified", &error.to_string()),
    };
    let mut input = work::typed(kind, &fields);
    input.insert(
        0,
        ("record".to_owned(), preparation.record().seq().to_string()),
    );
    let recorded = match serde_json::value::to_raw_value(&check.report(&report)) {
        Ok(result) => match &site.recorder {
            Some(recorder) => {
                recorder
                    .record(
                        "verify",
                        Some(verifier.clone()),
                        Some(check.stage()),
                        input,
                        result,
                    )
                    .await
            }
            None => Err("this page keeps no audit log".to_owned()),
        },
        Err(error) => Err(error.to_string()),
    };
    let record = match recorded {
        Ok(record) => record,
        Err(error) => {
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "Not verified",
                &format!("{error}; the verification could not be recorded, so it is not shown"),
            );
        }
    };
    let prepared = preparation.record();
    let signatures = Signatures {
        prepared: prepared.signer().map(|signer| Signature {
            by: pages::signed(signer),
            at: prepared.time().to_owned(),
            record: prepared.seq(),
        }),
        asked_by: Some(pages::signed(&verifier)),
        checked: if check.agrees() {
            Signature::of(Some(&verifier), &record).map_or(Checked::Blank, Checked::By)
        } else {
            Checked::Awaiting(prepared.seq())
        },
    };
    let status = if check.agrees() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = if check.agrees() {
        html! {
            div.verdict.verdict-within role="status" id="double-check" {
                p.verdict-words { "VERIFIED: the independent double check agrees with record " (prepared.seq()) }
                p.verdict-detail { "every figure worked out again is the same; the verification is record " (record.seq()) }
            }
            (pages::result(&outcome, kind, Some(&record), &signatures, None))
        }
    } else {
        let banner = html! {
            div.verdict.verdict-outside role="alert" id="double-check" {
                p.verdict-words { "DOUBLE-CHECK MISMATCH: nothing is released" }
                p.verdict-detail { "hard double-check-mismatch: the figures below differ from record " (prepared.seq()) ", those read from the sources first; the attempt is record " (record.seq()) }
                ul.differences {
                    @for difference in check.differences() {
                        li { code { (difference.field()) } ": prepared " strong { (shown(difference.prepared())) } ", verified " strong { (shown(difference.verified())) } }
                    }
                }
            }
        };
        pages::result(&outcome, kind, Some(&record), &signatures, Some(banner))
    };
    (status, page("Verification", Some(&visitor), body)).into_response()
}

fn shown(value: &str) -> String {
    if value.is_empty() {
        "none".to_owned()
    } else {
        celldose::text::inert(value).into_owned()
    }
}
