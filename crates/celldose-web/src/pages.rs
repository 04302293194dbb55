//! The pages: the protocol list, each protocol in full, a form for each calculation, and its
//! result with a printable worksheet. Every text goes through the template, which escapes it.

use std::sync::Arc;

use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use celldose::audit::RecordId;
use celldose::human::{self, Notation};
use celldose::{Catalogue, Protocol, Severity, Verdict};
use maud::{DOCTYPE, Markup, html};

use crate::Site;
use crate::accounts::Visitor;
use crate::work::{self, Fields, Kind, Outcome, Refusal};

const STYLE: &str = include_str!("style.css");

/// The stylesheet, the only asset, served from the binary.
pub(crate) async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

/// A page: the navigation, who is signed in (or whose account records name), and `body`.
pub(crate) fn page(title: &str, visitor: Option<&Visitor>, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · celldose" }
                    link rel="stylesheet" href="/style.css";
                }
                body {
                    header.screen-only {
                        nav { a href="/" { "celldose" } " · " a href="/" { "Protocols" } " · " a href="/escalation" { "Escalation" } }
                        @if let Some(visitor) = visitor {
                            (who(visitor))
                        }
                    }
                    main { (body) }
                }
            }
        }
        .into_string(),
    )
}

/// Who the page is used by, as its header says.
fn who(visitor: &Visitor) -> Markup {
    html! {
        div.user id="user" {
            @match (&visitor.signer, visitor.signed_in()) {
                (_, Some(signer)) => {
                    "Signed in as " strong.user-name { (signer.name()) } @if let Some(role) = signer.role() { " (" (role) ")" }
                    " " (sign_out_button(visitor))
                }
                (Some(signer), None) => {
                    "Recorded as " strong.user-name { (signer.name()) } " (this workstation's account, claimed; nobody signs in here)"
                }
                (None, None) => {}
            }
        }
    }
}

/// The sign-out button for a signed-in visitor.
pub(crate) fn sign_out_button(visitor: &Visitor) -> Markup {
    html! {
        @if visitor.session.is_some() {
            form.sign-out method="post" action="/logout" {
                input type="hidden" name="token" value=(visitor.token);
                button type="submit" { "Sign out" }
            }
        }
    }
}

/// A response with `status` and a page saying why.
pub(crate) fn problem(status: StatusCode, title: &str, message: &str) -> Response {
    let body = html! {
        h1 { (title) }
        p.refusal role="alert" { (message) }
        p { a href="/" { "Back to the protocols" } }
    };
    (status, page(title, None, body)).into_response()
}

pub(crate) async fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no such page here.",
    )
}

/// The protocols on disk now, or the page that says why they cannot be used.
fn protocols(site: &Site) -> Result<Arc<Catalogue>, Box<Response>> {
    work::catalogue(site).map_err(|refusal| {
        Box::new(problem(
            refusal.status(),
            "Protocols unavailable",
            &refusal.message,
        ))
    })
}

/// `/`: every protocol, with its forms.
pub(crate) async fn index(
    State(site): State<Arc<Site>>,
    Extension(visitor): Extension<Visitor>,
) -> Response {
    let catalogue = match protocols(&site) {
        Ok(catalogue) => catalogue,
        Err(unavailable) => return *unavailable,
    };
    let body = html! {
        h1 { "Protocols" }
        p { "Choose a protocol to see it in full, or open a form to compute a dose, check a delivered count, or prepare a volume." }
        table.protocols {
            thead { tr { th { "Protocol" } th { "Title" } th { "Version" } th { "Forms" } } }
            tbody {
                @for protocol in catalogue.protocols() {
                    tr {
                        td { a href={ "/protocols/" (protocol.id()) } { (protocol.id()) } }
                        td { (protocol.title()) }
                        td { (protocol.version()) }
                        td.forms {
                            @for kind in [Kind::Dose, Kind::Check, Kind::Prepare] {
                                a href={ "/" (kind.name()) "?protocol=" (protocol.id()) } { (kind.name()) } " "
                            }
                        }
                    }
                }
            }
        }
        h2 { "As the command line lists them" }
        pre.printout tabindex="0" { (celldose::printout::protocols(&catalogue, Notation::Unicode)) }
    };
    page("Protocols", Some(&visitor), body).into_response()
}

/// `/protocols/{id}`: one protocol in full, as `celldose show` prints it.
pub(crate) async fn protocol(
    State(site): State<Arc<Site>>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
) -> Response {
    let catalogue = match protocols(&site) {
        Ok(catalogue) => catalogue,
        Err(unavailable) => return *unavailable,
    };
    let Ok(protocol) = catalogue.find(&id) else {
        let message = format!(
            "unknown protocol {}; known protocols: {}",
            celldose::text::Shown(&id),
            ids(&catalogue)
        );
        return problem(StatusCode::NOT_FOUND, "Unknown protocol", &message);
    };
    let body = html! {
        h1 { (protocol.id()) " " span.title { (protocol.title()) } }
        p.provenance { "Version: " (protocol.version()) br; "Definition: " (protocol.origin()) ", sha256 " code { (protocol.sha256()) } }
        p.forms {
            @for kind in [Kind::Dose, Kind::Check, Kind::Prepare] {
                a.button href={ "/" (kind.name()) "?protocol=" (protocol.id()) } { (title(kind)) } " "
            }
            @if protocol.arms().iter().any(|a| a.regimen().escalation().is_some()) {
                a.button href={ "/escalation?protocol=" (protocol.id()) } { "Escalation decision" }
            }
        }
        pre.printout tabindex="0" { (celldose::printout::show(protocol, Notation::Unicode)) }
    };
    page(protocol.id(), Some(&visitor), body).into_response()
}

fn ids(catalogue: &Catalogue) -> String {
    catalogue
        .protocols()
        .iter()
        .map(Protocol::id)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn title(kind: Kind) -> &'static str {
    match kind {
        Kind::Dose => "Compute a dose",
        Kind::Check => "Check a delivered count",
        Kind::Prepare => "Prepare a volume",
    }
}

/// Who asks, as the sign-in gate found them.
type Asking = Extension<Visitor>;

pub(crate) async fn dose_form(
    state: State<Arc<Site>>,
    who: Asking,
    query: Query<Fields>,
) -> Response {
    form_page(state, who, query, Kind::Dose)
}
pub(crate) async fn check_form(
    state: State<Arc<Site>>,
    who: Asking,
    query: Query<Fields>,
) -> Response {
    form_page(state, who, query, Kind::Check)
}
pub(crate) async fn prepare_form(
    state: State<Arc<Site>>,
    who: Asking,
    query: Query<Fields>,
) -> Response {
    form_page(state, who, query, Kind::Prepare)
}
pub(crate) async fn dose(
    state: State<Arc<Site>>,
    who: Asking,
    headers: HeaderMap,
    form: Posted,
) -> Response {
    submit(state, who, &headers, form, Kind::Dose).await
}
pub(crate) async fn check(
    state: State<Arc<Site>>,
    who: Asking,
    headers: HeaderMap,
    form: Posted,
) -> Response {
    submit(state, who, &headers, form, Kind::Check).await
}
pub(crate) async fn prepare(
    state: State<Arc<Site>>,
    who: Asking,
    headers: HeaderMap,
    form: Posted,
) -> Response {
    submit(state, who, &headers, form, Kind::Prepare).await
}

/// A posted form's fields in the order sent, so that a field sent twice can be refused.
type Posted = Form<Vec<(String, String)>>;

/// A blank form (or, without a protocol, the choice of one).
fn form_page(
    State(site): State<Arc<Site>>,
    Extension(visitor): Asking,
    Query(query): Query<Fields>,
    kind: Kind,
) -> Response {
    let catalogue = match protocols(&site) {
        Ok(catalogue) => catalogue,
        Err(unavailable) => return *unavailable,
    };
    let chosen = work::value(&query, "protocol").and_then(|id| catalogue.find(id).ok());
    let Some(protocol) = chosen else {
        let body = html! {
            h1 { (title(kind)) }
            form method="get" action={ "/" (kind.name()) } {
                label for="protocol" { "Protocol" }
                select id="protocol" name="protocol" {
                    @for protocol in catalogue.protocols() {
                        option value=(protocol.id()) { (protocol.id()) " — " (protocol.title()) }
                    }
                }
                button type="submit" { "Open the form" }
            }
        };
        return page(title(kind), Some(&visitor), body).into_response();
    };
    let fields: Fields = [("protocol".to_owned(), protocol.id().to_owned())].into();
    page(
        title(kind),
        Some(&visitor),
        form(&visitor, kind, protocol, &fields, None),
    )
    .into_response()
}

/// A posted form: refused as a whole when it is not the page's own, else computed and shown.
async fn submit(
    State(site): State<Arc<Site>>,
    Extension(visitor): Asking,
    headers: &HeaderMap,
    Form(posted): Posted,
    kind: Kind,
) -> Response {
    if let Some(reason) = crate::guard::cross_site(headers, &site.hosts) {
        return problem(
            StatusCode::FORBIDDEN,
            "Refused",
            &format!("{reason}; open the form on this page and send it again"),
        );
    }
    let mut fields = match posted_once(posted) {
        Ok(fields) => fields,
        Err(refused) => return *refused,
    };
    if fields.remove("token").as_deref() != Some(visitor.token.as_str()) {
        return problem(
            StatusCode::FORBIDDEN,
            "Refused",
            "the form does not carry this page's token: it is out of date or came from another page; open the form again",
        );
    }
    let catalogue = match protocols(&site) {
        Ok(catalogue) => catalogue,
        Err(unavailable) => return *unavailable,
    };
    let computed = work::run(&site, visitor.signer.clone(), &catalogue, kind, &fields).await;
    if let Err(refusal) = &computed
        && refusal.unavailable
    {
        return problem(refusal.status(), "Not calculated", &refusal.message);
    }
    let protocol = work::value(&fields, "protocol").and_then(|id| catalogue.find(id).ok());
    let Some(protocol) = protocol else {
        let message = match &computed {
            Err(refusal) => refusal.message.clone(),
            Ok(_) => "protocol: it is required".to_owned(),
        };
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "Refused", &message);
    };
    match computed {
        Ok(done) => {
            let asked_by = visitor.signer.as_ref().map(signed);
            let signatures = match &done.record {
                Some(record) if kind.stage().is_some() => Signatures {
                    prepared: Signature::of(visitor.signer.as_ref(), record),
                    checked: Checked::Awaiting(record.seq()),
                    asked_by,
                },
                _ => Signatures {
                    asked_by,
                    ..Signatures::default()
                },
            };
            let body = html! {
                (result(&done.outcome, kind, done.record.as_ref(), &signatures, None))
                details.screen-only {
                    summary { "Change the request" }
                    (form(&visitor, kind, protocol, &fields, None))
                }
            };
            page("Result", Some(&visitor), body).into_response()
        }
        Err(refusal) => (
            refusal.status(),
            page(
                title(kind),
                Some(&visitor),
                form(&visitor, kind, protocol, &fields, Some(&refusal)),
            ),
        )
            .into_response(),
    }
}

/// A posted form's fields by name, each sent once; a field sent twice refuses the whole form,
/// never resolved by taking one of them.
pub(crate) fn posted_once(posted: Vec<(String, String)>) -> Result<Fields, Box<Response>> {
    let mut fields = Fields::new();
    for (name, value) in posted {
        let shown = celldose::text::Shown(&name).to_string();
        if fields.insert(name, value).is_some() {
            return Err(Box::new(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Refused",
                &format!(
                    "field {shown} is sent more than once; open the form again and send it once"
                ),
            )));
        }
    }
    Ok(fields)
}

/// Where a text input has a choice list, its options: `(value, label)`.
fn choices(protocol: &Protocol, name: &str) -> Option<Vec<(String, String)>> {
    match name {
        "arm" => {
            let arms = protocol.arms();
            let shared = arms.first().is_some_and(|first| {
                arms.iter()
                    .all(|arm| arm.regimen().id() == first.regimen().id())
            });
            let mut list = Vec::new();
            if shared {
                list.push((String::new(), "any arm (one shared regimen)".to_owned()));
            }
            for arm in arms {
                list.push((arm.id().to_owned(), format!("{}: {}", arm.id(), arm.name())));
            }
            Some(list)
        }
        "level" => {
            let mut list = vec![(
                String::new(),
                "no level (give a dose, or the arm's own)".to_owned(),
            )];
            let mut seen = Vec::new();
            for arm in protocol.arms() {
                for level in arm.regimen().levels() {
                    if !seen.contains(&level.number()) {
                        seen.push(level.number());
                        list.push((
                            level.number().to_string(),
                            format!(
                                "level {}: {}",
                                level.number(),
                                celldose::describe_dose(level.dose(), Notation::Unicode)
                            ),
                        ));
                    }
                }
            }
            (list.len() > 1).then_some(list)
        }
        "rounding" => Some(
            ["half-away-from-zero", "half-even", "down", "up"]
                .iter()
                .map(|rule| ((*rule).to_owned(), (*rule).to_owned()))
                .collect(),
        ),
        _ => None,
    }
}

pub(crate) fn label(name: &str) -> (&'static str, &'static str) {
    match name {
        "arm" => ("Arm", ""),
        "level" => ("Dose level", ""),
        "dose" => ("Or a dose", "a count (1.5e9) or per kg (5e7/kg)"),
        "weight" => ("Body weight", "with its unit: 72.5kg, 72500g, 160lb"),
        "age" => ("Age in years", "or the date of birth below"),
        "born" => ("Date of birth", "YYYY-MM-DD"),
        "on" => ("Dosing date", "YYYY-MM-DD; today when empty"),
        "acknowledge" => (
            "Acknowledgement",
            "only for a review result: the reason it is accepted",
        ),
        "rounding" => ("Rounding", ""),
        "cells" => ("Delivered cells", "a count: 1.2e9"),
        "tolerance" => ("Tolerance", "e.g. 10%"),
        "concentration" => (
            "Concentration",
            "nucleated cells, from the certificate: 2.5e6/mL",
        ),
        "viable_concentration" => (
            "Or viable concentration",
            "where the certificate states viable cells/mL",
        ),
        "viability" => ("Viability", "e.g. 96%"),
        "positive" => ("Marker-positive", "CAR+ or CD34+ %, where counted"),
        "available" => ("Volume available", "e.g. 50mL"),
        "step" => ("Measurable step", "0.1mL when empty"),
        "patient" => ("Patient", "the trial's subject identifier, where kept"),
        "current_weight" => (
            "Current weight",
            "where the protocol doses on an earlier weight",
        ),
        "product_file" => (
            "Product file",
            "or paste the product file (docs/product-format.md)",
        ),
        "bags" => ("Bags", "ids, all when empty: 1,2 (check: 1,2=69.6mL)"),
        "infusion" => ("Infusion", "of a split dose: 1, 2, ..."),
        "given" => ("Given before", "cells given in earlier infusions"),
        "given_dmso" => ("DMSO given today", "earlier the same day: 7.7g or 7mL"),
        "scan" => (
            "Labels scanned",
            "scan each bag's ISBT 128 labels here, one a line: DIN, product code, expiry",
        ),
        "thawed_at" => (
            "Thawed at",
            "when thawing was complete: 2026-12-05T14:30:00+01:00",
        ),
        "thaw_started_at" => (
            "Thaw started at",
            "where the thaw clock counts from the start",
        ),
        "infusion_start" => (
            "Infusion starts at",
            "now when empty: 2026-12-05T14:50:00+01:00",
        ),
        _ => ("", ""),
    }
}

/// The form for `kind` on `protocol`, filled with `fields`, with a refusal beside its field.
fn form(
    visitor: &Visitor,
    kind: Kind,
    protocol: &Protocol,
    fields: &Fields,
    refusal: Option<&Refusal>,
) -> Markup {
    let general = refusal.filter(|r| r.field.is_none());
    html! {
        h1 { (title(kind)) }
        p.protocol-line { "Protocol " a href={ "/protocols/" (protocol.id()) } { (protocol.id()) } " — " (protocol.title()) " (" (protocol.version()) ")" }
        @if let Some(refusal) = general {
            p.refusal role="alert" id="refusal" { (refusal.message) }
        }
        form.calculation method="post" action={ "/" (kind.name()) } {
            input type="hidden" name="token" value=(visitor.token);
            input type="hidden" name="protocol" value=(protocol.id());
            @for name in kind.fields().into_iter().filter(|name| *name != "protocol") {
                @let (text, hint) = label(name);
                @let current = fields.get(name).map(String::as_str).unwrap_or_default();
                @let refused = refusal.filter(|r| r.field == Some(name));
                div.field.refused[refused.is_some()] {
                    label for=(name) { (text) }
                    @if let Some(options) = choices(protocol, name) {
                        select id=(name) name=(name) {
                            @for (value, shown) in &options {
                                option value=(value) selected[value == current || (current.is_empty() && name == "rounding" && value == "half-away-from-zero")] { (shown) }
                            }
                        }
                    } @else if name == "product_file" || name == "scan" {
                        textarea id=(name) name=(name) rows="8" placeholder=(hint) spellcheck="false" { (celldose::text::inert(current)) }
                    } @else {
                        // A value sent back is shown with any control or invisible character
                        // spelled out, never acted on.
                        input type="text" id=(name) name=(name) value=(celldose::text::inert(current)) placeholder=(hint) autocomplete="off";
                    }
                    @if let Some(refusal) = refused {
                        span.refusal role="alert" id={ (name) "-refusal" } { (refusal.message) }
                    }
                }
            }
            button type="submit" { (title(kind)) }
        }
    }
}

pub(crate) fn verdict_banner(verdict: Verdict, acknowledged: bool, stops: &[&str]) -> Markup {
    let stopped = format!("{}: do not infuse", stops.join(", "));
    let (class, words, detail) = match verdict {
        Verdict::Outside if !stops.is_empty() => {
            ("outside", stopped.as_str(), "OUTSIDE the protocol")
        }
        Verdict::Within if acknowledged => (
            "within",
            "WITHIN the protocol",
            "soft limits acknowledged; the reason is recorded",
        ),
        Verdict::Within => ("within", "WITHIN the protocol", ""),
        Verdict::Review => (
            "review",
            "REVIEW: do not dispense yet",
            "inside the protocol but past a soft limit; to accept it, give the reason as an acknowledgement and calculate again",
        ),
        Verdict::NoDoseChosen => (
            "no-dose",
            "NO DOSE CHOSEN",
            "the protocol gives a range; choose a level or a dose for a verdict on a dose",
        ),
        _ => ("outside", "OUTSIDE the protocol: do not dispense", ""),
    };
    html! {
        div class={ "verdict verdict-" (class) } role="status" id="verdict" {
            p.verdict-words { (words) }
            @if !detail.is_empty() { p.verdict-detail { (detail) } }
        }
    }
}

/// The chain of identity and custody on the worksheet: who the product was made for beside the
/// patient, each label scanned, the expiries, the thaw and the latest start.
fn custody_rows(custody: &celldose::calculation::CustodyCheck) -> Markup {
    use celldose::certificate::Recipient;
    let matched = match custody.recipient() {
        Some(Recipient::Patient(id)) if Some(id.as_str()) == custody.patient() => "matched",
        Some(Recipient::Patient(_)) => "NOT THIS PATIENT",
        Some(_) => "any patient may receive it",
        None => "not stated: cannot be matched",
    };
    html! {
        tr.custody id="made-for" {
            th { "Made for" }
            td {
                (custody.recipient().map_or_else(|| "not stated".to_owned(), ToString::to_string))
                "; patient " (custody.patient().unwrap_or("not given")) ": "
                strong { (matched) }
            }
        }
        @for (typed, scan) in custody.scans() {
            tr.scan { th { "Label scanned" } td { code { (celldose::text::inert(typed)) } ": " (scan.to_string()) } }
        }
        @for (what, expiry) in custody.expires() {
            tr { th { "Expires" } td { (what) ": " (expiry.to_string()) } }
        }
        @if let Some(at) = custody.thaw_started_at() { tr { th { "Thaw started" } td { (at.to_string()) } } }
        @if let Some(at) = custody.thawed_at() { tr { th { "Thawed at" } td { (at.to_string()) } } }
        tr { th { "Infusion starts" } td { (custody.infusion_start().to_string()) } }
        @if let Some(limit) = custody.limit() {
            tr id="infuse-by" {
                th { "Infuse by" }
                td {
                    @match limit.infuse_by() {
                        Some(by) => strong { (by.to_string()) },
                        None => strong { "unknown: the thaw time was not given" },
                    }
                    " (" (limit.max().to_string()) " from the " (limit.clock().as_str()) " of thawing, per the " (limit.stated_by()) ")"
                }
            }
        }
    }
}

/// One signature on the worksheet, from an audit record: who, when, and which record.
#[derive(Debug, Clone)]
pub(crate) struct Signature {
    pub(crate) by: String,
    pub(crate) at: String,
    pub(crate) record: u64,
}

impl Signature {
    /// The signature of the record `record`, made by `by`.
    pub(crate) fn of(by: Option<&celldose::audit::Signer>, record: &RecordId) -> Option<Self> {
        by.map(|signer| Self {
            by: signed(signer),
            at: record.time().to_owned(),
            record: record.seq(),
        })
    }
}

/// A user as a worksheet names them: `alice (pharmacist)`, `bob (claimed)`.
pub(crate) fn signed(signer: &celldose::audit::Signer) -> String {
    match (signer.role(), signer.identified()) {
        (Some(role), celldose::audit::Identified::SignedIn) => {
            format!("{} ({role})", signer.name())
        }
        _ => format!("{} (claimed, not signed in)", signer.name()),
    }
}

/// What the worksheet's signature lines say.
#[derive(Debug, Clone, Default)]
pub(crate) struct Signatures {
    /// Who prepared it, where a record names them; a blank line to sign otherwise.
    pub(crate) prepared: Option<Signature>,
    /// Its independent check.
    pub(crate) checked: Checked,
    /// The user who asked for this result, as the worksheet's "Calculated" line names them.
    pub(crate) asked_by: Option<String>,
}

/// Where the independent double check stands.
#[derive(Debug, Clone, Default)]
pub(crate) enum Checked {
    /// A blank line to sign by hand (nothing recorded to verify).
    #[default]
    Blank,
    /// Recorded, and not yet verified.
    Awaiting(u64),
    /// Verified, every figure agreeing.
    By(Signature),
}

fn signature_lines(signatures: &Signatures) -> Markup {
    html! {
        @if let Checked::Awaiting(_) = &signatures.checked {
            div.verdict.verdict-review.not-checked role="status" id="not-checked" {
                p.verdict-words { "NOT YET INDEPENDENTLY CHECKED" }
                p.verdict-detail { "another pharmacist works this dose out again from the sources and verifies it before it is released" }
            }
        }
        table.signatures id="signatures" {
            tr {
                th { "Prepared by" }
                @match &signatures.prepared {
                    Some(signature) => td.signed id="prepared-by" { (signature.by) " at " (signature.at) ", record " (signature.record) },
                    None => { td.blank {} th { "Date and time" } td.blank {} },
                }
            }
            tr {
                th { "Independently checked by" }
                @match &signatures.checked {
                    Checked::By(signature) => td.signed id="checked-by" { (signature.by) " at " (signature.at) ", record " (signature.record) },
                    Checked::Awaiting(seq) => td.signed id="checked-by" { strong { "NOT YET INDEPENDENTLY CHECKED" } " " span.screen-only { a href={ "/verify?record=" (seq) } { "Verify record " (seq) } } },
                    Checked::Blank => { td.blank {} th { "Date and time" } td.blank {} },
                }
            }
        }
    }
}

/// The result: the verdict first, then the worksheet, then the command line's own text.
pub(crate) fn result(
    outcome: &Outcome,
    kind: Kind,
    record: Option<&RecordId>,
    signatures: &Signatures,
    mismatch: Option<Markup>,
) -> Markup {
    let calculation = outcome.calculation();
    let verdict = outcome.verdict();
    let entered = calculation.weight();
    let used = human::kg(entered.weight().kg());
    let source = if entered.unit() == celldose::MassUnit::Kilogram {
        "entered in kilograms".to_owned()
    } else {
        format!("entered as {entered}, converted exactly")
    };
    let findings: Vec<&celldose::Finding> = match outcome {
        Outcome::Dose(c) => c.findings().iter().collect(),
        Outcome::Check(c) => c.findings().collect(),
        Outcome::Prepare(p) => p.findings().collect(),
    };
    let split = match outcome {
        Outcome::Check(check) => check.split(),
        _ => None,
    };
    let calculated_at = match record {
        Some(record) => record.time().to_owned(),
        None => jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
    };
    let count = |cells: Option<celldose::CellCount>| {
        cells.map_or_else(
            || "not computed".to_owned(),
            |cells| human::cells(cells.get(), Notation::Unicode),
        )
    };
    html! {
        h1 { (title(kind)) ": " (calculation.protocol()) }
        @match &mismatch {
            // A double check that did not agree releases nothing, whatever this result's verdict.
            Some(banner) => (banner),
            None => (verdict_banner(verdict, calculation.acknowledgement().is_some(), &celldose::FindingCode::stops(findings.iter().copied()))),
        }
        section.worksheet id="worksheet" {
            h2 { "Worksheet" }
            table {
                tr { th { "Patient" } td.patient {
                    @match calculation.patient() {
                        Some(patient) => (patient),
                        None => strong { "not given" },
                    }
                } }
                tr { th { "Protocol" } td { (calculation.protocol()) ", " (calculation.protocol_version()) } }
                tr { th { "Definition" } td { "sha256 " code { (calculation.protocol_sha256()) } } }
                @if let Some(arm) = calculation.arm() { tr { th { "Arm" } td { (arm) } } }
                @if let Some(level) = calculation.level() { tr { th { "Dose level" } td { (level) } } }
                tr { th { "Patient weight" } td { (used) " (" (source) ")" } }
                @if let Some(age) = calculation.age() { tr { th { "Age" } td { (age) } } }
                @match split {
                    Some(split) => {
                        tr { th { "Whole dose" } td.amount { (count(calculation.cells())) " over " (split.infusions()) " infusions" } }
                        tr.infusion { th { "This infusion" } td { (split.infusion()) " of " (split.infusions()) ", day " (split.day()) ", " (split.share()) " of the dose" } }
                        tr.volume { th { "Cells for this infusion" } td.amount { (count(split.target().and_then(|t| t.round(celldose::Rounding::HalfAwayFromZero).ok()))) } }
                        tr { th { "Given before" } td.amount { @match split.given_before() { Some(before) => (human::cells(before.get(), Notation::Unicode)), None => @if split.infusion() > 1 { strong { "not stated" } } @else { "nothing (the first infusion)" } } } }
                        @if let (Some(total), Some(due)) = (split.cumulative(), split.cumulative_target()) {
                            tr { th { "Running total" } td.amount { (human::cells(total.get(), Notation::Unicode)) " of " (human::cells(due.get(), Notation::Unicode)) " due by now (" (split.share_so_far().normalize()) "% of the dose)" } }
                        }
                    }
                    None => tr { th { "Cells to give" } td.amount { (count(calculation.cells())) } },
                }
                @if let Some(per_kg) = calculation.cells_per_kg() {
                    tr { th { "Dose per kg" } td.amount { (human::cells_per_kg(per_kg.get(), Notation::Unicode)) } }
                }
                @if calculation.min_cells().is_none() && calculation.max_cells().is_none() {
                    tr { th { "Allowed range" } td { "none: the protocol states a single dose" } }
                } @else {
                    tr { th { "Allowed range" } td.amount { (count(calculation.min_cells())) " to " (count(calculation.max_cells())) } }
                }
                @match outcome {
                    Outcome::Check(check) => {
                        @if let Some(product) = check.product() {
                            tr { th { "Product" } td { (product.identity().id()) @if let Some(din) = product.identity().din() { ", DIN " (din) } ", counting " (product.identity().counts().cells_word()) } }
                            @for bag in product.bags() {
                                tr.volume { th { "Bag " (bag.id()) } td.amount { @if bag.whole() { "the whole bag, " (bag.volume_ml()) " mL" } @else { (bag.volume_ml()) " mL of the bag" } ": " (human::cells(bag.counted().get(), Notation::Unicode)) } }
                            }
                        }
                        tr { th { @if check.drawing().is_some() { "It delivers" } @else { "Delivered" } } td.amount { (human::cells(check.actual_cells().get(), Notation::Unicode)) } }
                        @if let Some(custody) = check.custody() {
                            (custody_rows(custody))
                        }
                        @if let Some(e) = check.excipients() {
                            tr { th { "Volume" } td { (e.volume_ml()) " mL (" (e.volume_ml_per_kg()) " mL/kg)" } }
                            @if let (Some(g), Some(per_kg)) = (e.dmso_g(), e.dmso_g_per_kg()) {
                                tr { th { "DMSO" } td { (g) " g (" (per_kg) " g/kg)" } }
                            }
                        }
                    }
                    Outcome::Prepare(prepared) => {
                        tr.volume { th { "Volume to draw" } td.amount { (prepared.volume()) } }
                        tr { th { "It delivers" } td.amount { (count(prepared.delivered_cells())) } }
                    }
                    Outcome::Dose(_) => {}
                }
                @if mismatch.is_some() {
                    tr { th { "Verdict" } td { strong { "not released" } ": the independent double check does not agree (double-check-mismatch); this worker's own result is " (verdict.as_str()) } }
                } @else {
                    tr { th { "Verdict" } td { (verdict.as_str()) } }
                }
                @if let Some(reason) = calculation.acknowledgement() { tr { th { "Acknowledged" } td { (reason) } } }
                @if let Some(state) = calculation.trial_state_sha256() { tr { th { "Trial state" } td { "sha256 " code { (state) } } } }
                tr { th { "Calculated" } td { (calculated_at) " by celldose " (env!("CARGO_PKG_VERSION")) @if let Some(user) = &signatures.asked_by { ", for " span.user-name { (user) } } } }
                @match record {
                    Some(record) => tr { th { "Audit record" } td { "record " (record.seq()) ", sha256 " code.record { (record.sha256()) } } },
                    None => tr { th { "Audit record" } td { "none: this page keeps no audit log" } },
                }
            }
            @if !findings.is_empty() {
                h3 { "Findings" }
                ul.findings {
                    @for finding in &findings {
                        li class={ "finding finding-" (severity(finding.severity())) } {
                            strong { (severity(finding.severity())) " " (finding.code().as_str()) } ": " (finding.message(Notation::Unicode))
                            br; small { "per " (finding.clause()) }
                        }
                    }
                }
            }
            (signature_lines(signatures))
            p.screen-only.print-hint { "Print this page for the worksheet: the print view holds the worksheet only." }
        }
        section.screen-only {
            h2 { "As the command line prints it" }
            pre.printout tabindex="0" { (work::printout(outcome)) }
        }
    }
}

fn severity(severity: Severity) -> &'static str {
    severity.as_str()
}
