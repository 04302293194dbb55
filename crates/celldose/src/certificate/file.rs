//! The product file: TOML read into plain serde structs, then checked into a [`Certificate`],
//! with every refusal naming the file, the line and the column.

use core::ops::Range;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::{Bag, BagContent, Certificate, Counted, DonationId, ProductCode};
use crate::error::{Error, Result};
use crate::file_text;
use crate::units::{
    CellCount, Concentration, EndotoxinPerMl, Expiry, Handling, Minutes, Percent, ThawClock, Volume,
};

/// The product file format this celldose reads.
pub const PRODUCT_FORMAT: u32 = 1;
/// The largest product file accepted, in bytes.
pub const PRODUCT_MAX_BYTES: usize = 1 << 20;
/// The most bags one product may have.
const MAX_BAGS: usize = 64;
/// The longest product or bag id, in characters.
const MAX_ID_CHARS: usize = 64;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductFile {
    format: Spanned<u32>,
    #[serde(deserialize_with = "file_text::text")]
    id: String,
    #[serde(default, deserialize_with = "spanned_optional_text")]
    din: Option<Spanned<String>>,
    #[serde(default, deserialize_with = "spanned_optional_text")]
    product_code: Option<Spanned<String>>,
    counts: Counted,
    #[serde(default, deserialize_with = "spanned_optional_text")]
    recipient: Option<Spanned<String>>,
    expires: Option<Expiry>,
    thaw_to_infusion_max: Option<Minutes>,
    thaw_clock: Option<ThawClock>,
    #[serde(default, rename = "bag")]
    bags: Vec<Spanned<BagFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BagFile {
    #[serde(deserialize_with = "file_text::text")]
    id: String,
    volume: Volume,
    concentration: Option<Concentration>,
    total: Option<CellCount>,
    viable_concentration: Option<Concentration>,
    viable_total: Option<CellCount>,
    viability: Percent,
    positive: Option<Percent>,
    t_cells: Option<Percent>,
    dmso: Option<Percent>,
    endotoxin: Option<EndotoxinPerMl>,
    #[serde(default, deserialize_with = "spanned_optional_text")]
    product_code: Option<Spanned<String>>,
    expires: Option<Expiry>,
}

fn spanned_optional_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> core::result::Result<Option<Spanned<String>>, D::Error> {
    let value = Spanned::<String>::deserialize(deserializer)?;
    if let Some((_, c)) = crate::text::forbidden_char(value.get_ref()) {
        return Err(serde::de::Error::custom(format!(
            "the text holds {}; control and bidirectional characters are not accepted in a file's text",
            crate::text::char_name(c)
        )));
    }
    Ok(Some(value))
}

fn id_ok(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= MAX_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl Certificate {
    /// Reads and checks a product file. `source_name` names the file in messages.
    ///
    /// # Errors
    /// When the file is larger than [`PRODUCT_MAX_BYTES`], holds a control or bidirectional
    /// character, is not valid TOML, has a key the format does not define, or breaks a rule of
    /// docs/product-format.md; the message names the file, the line and column, and what would
    /// be accepted.
    ///
    /// ```
    /// let text = "format = 1\nid = \"P1\"\ncounts = \"viable\"\n[[bag]]\nid = \"A\"\nvolume = \"50mL\"\nconcentration = \"2e6/mL\"\ntotal = \"1e8\"\nviability = \"90%\"\n";
    /// let error = celldose::Certificate::from_toml("p.toml", text).unwrap_err();
    /// assert_eq!(error.to_string(), "product file p.toml: line 4, column 1: bag \"A\" gives both `concentration` and `total`; give one: the figure its certificate states");
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn from_toml(source_name: &str, text: &str) -> Result<Self> {
        let fail = |span: Option<Range<usize>>, message: String| {
            let message = match span {
                Some(span) => {
                    let (line, column) = file_text::line_column(text, span.start);
                    format!("line {line}, column {column}: {message}")
                }
                None => message,
            };
            Error::ProductFile {
                source_name: source_name.to_owned(),
                message,
                cause: None,
            }
        };
        if text.len() > PRODUCT_MAX_BYTES {
            return Err(fail(
                None,
                format!(
                    "it is larger than the {} bytes a product file may have",
                    crate::human::grouped(PRODUCT_MAX_BYTES.into())
                ),
            ));
        }
        if let Some((offset, message)) = file_text::raw_refusal(text) {
            return Err(fail(Some(offset..offset), message));
        }
        let file: ProductFile = toml::from_str(text).map_err(|e| {
            let mut refused = fail(e.span(), e.message().trim().to_owned());
            if let Error::ProductFile { cause, .. } = &mut refused {
                *cause = Some(crate::error::Cause::new(e));
            }
            refused
        })?;
        if *file.format.get_ref() != PRODUCT_FORMAT {
            return Err(fail(
                Some(file.format.span()),
                format!(
                    "format {} is not supported; this celldose reads product format {PRODUCT_FORMAT}",
                    file.format.get_ref()
                ),
            ));
        }
        if !id_ok(&file.id) {
            return Err(fail(
                Some(0..0),
                format!(
                    "product id {} is not accepted; use up to {MAX_ID_CHARS} letters, digits, '-', '_' or '.'",
                    crate::text::Shown(&file.id)
                ),
            ));
        }
        let din = file
            .din
            .map(|din| DonationId::parse(din.get_ref()).map_err(|m| fail(Some(din.span()), m)))
            .transpose()?;
        let product_code = file
            .product_code
            .map(|code| ProductCode::parse(code.get_ref()).map_err(|m| fail(Some(code.span()), m)))
            .transpose()?;
        let recipient = file
            .recipient
            .map(|named| match named.get_ref().as_str() {
                "any" => Ok(super::Recipient::Any),
                id if id_ok(id) => Ok(super::Recipient::Patient(id.to_owned())),
                id => Err(fail(
                    Some(named.span()),
                    format!(
                        "recipient {} is not accepted; write the patient identifier the product was made for (up to {MAX_ID_CHARS} letters, digits, '-', '_' or '.'), or \"any\" for an off-the-shelf product",
                        crate::text::Shown(id)
                    ),
                )),
            })
            .transpose()?;
        if file.bags.is_empty() {
            return Err(fail(
                Some(0..0),
                "the product has no [[bag]]; it needs at least one".into(),
            ));
        }
        if file.bags.len() > MAX_BAGS {
            return Err(fail(
                file.bags.get(MAX_BAGS).map(Spanned::span),
                format!("the product has more than {MAX_BAGS} bags"),
            ));
        }
        let mut bags: Vec<Bag> = Vec::with_capacity(file.bags.len());
        for spanned in file.bags {
            let span = Some(spanned.span());
            let bag = spanned.into_inner();
            let shown = crate::text::Shown(&bag.id);
            if !id_ok(&bag.id) {
                return Err(fail(
                    span,
                    format!(
                        "bag id {shown} is not accepted; use up to {MAX_ID_CHARS} letters, digits, '-', '_' or '.'"
                    ),
                ));
            }
            if bags.iter().any(|b| b.id() == bag.id) {
                return Err(fail(
                    span,
                    format!("bag id {shown} is used twice; each bag needs its own id"),
                ));
            }
            let stated: Vec<BagContent> = [
                bag.concentration.map(BagContent::Concentration),
                bag.total.map(BagContent::Total),
                bag.viable_concentration
                    .map(BagContent::ViableConcentration),
                bag.viable_total.map(BagContent::ViableTotal),
            ]
            .into_iter()
            .flatten()
            .collect();
            let content = match stated.as_slice() {
                [one] => *one,
                [] => {
                    return Err(fail(
                        span,
                        format!(
                            "bag {shown} gives none of `concentration` (nucleated cells/mL), `total` (nucleated cells in the bag), `viable_concentration` or `viable_total`; give the one its certificate states"
                        ),
                    ));
                }
                many => {
                    let keys: Vec<String> = many.iter().map(|c| format!("`{}`", c.key())).collect();
                    let both = if keys.len() == 2 { "both " } else { "" };
                    return Err(fail(
                        span,
                        format!(
                            "bag {shown} gives {both}{}; give one: the figure its certificate states",
                            keys.join(" and ")
                        ),
                    ));
                }
            };
            let checked = Bag::stated(
                &bag.id,
                bag.volume,
                content,
                bag.viability,
                bag.positive,
                bag.t_cells,
                file.counts,
            )
            .map_err(|e| fail(span.clone(), e.to_string()))?
            .with_excipients(bag.dmso, bag.endotoxin);
            let code = bag
                .product_code
                .map(|code| {
                    ProductCode::parse(code.get_ref()).map_err(|m| fail(Some(code.span()), m))
                })
                .transpose()?;
            bags.push(checked.with_label(code, bag.expires));
        }
        let sha256 = Sha256::digest(text.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>();
        Ok(Self {
            identity: std::sync::Arc::new(super::ProductIdentity {
                id: file.id,
                din,
                product_code,
                counts: file.counts,
                sha256: sha256.into(),
                recipient,
                expires: file.expires,
                handling: Handling {
                    thaw_to_infusion_max: file.thaw_to_infusion_max,
                    thaw_clock: file.thaw_clock,
                },
            }),
            bags,
            origin: source_name.to_owned(),
        })
    }
}

impl Certificate {
    /// Reads and checks the product file at `path`: a regular file (never a device or a pipe,
    /// which could be endless or block), at most [`PRODUCT_MAX_BYTES`], in UTF-8. The name in
    /// messages is the path with any control character escaped.
    ///
    /// # Errors
    /// A path that is not a regular file or cannot be read; and those of
    /// [`Certificate::from_toml`].
    ///
    /// ```
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/products/one-bag-total.toml");
    /// assert_eq!(celldose::Certificate::from_path(std::path::Path::new(path))?.identity().id(), "MSC-LOT-7731");
    /// assert!(celldose::Certificate::from_path(std::path::Path::new("/dev/zero")).unwrap_err().to_string().contains("not a regular file"));
    /// # Ok::<(), celldose::Error>(())
    /// ```
    pub fn from_path(path: &std::path::Path) -> Result<Self> {
        let name = crate::named_file::shown(path);
        let fail = |message: String, cause: Option<crate::error::Cause>| Error::ProductFile {
            source_name: name.clone(),
            message,
            cause,
        };
        let bytes = crate::named_file::read_bytes(path, "product file", PRODUCT_MAX_BYTES)
            .map_err(|unread| fail(unread.message, unread.cause))?;
        let text = crate::named_file::utf8(bytes).map_err(|message| fail(message, None))?;
        Self::from_toml(&name, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_BAG: &str = "format = 1\nid = \"P1\"\ncounts = \"viable\"\n[[bag]]\nid = \"A\"\nvolume = \"50mL\"\nconcentration = \"2e6/mL\"\nviability = \"90%\"\n";

    fn refusal(text: &str) -> String {
        Certificate::from_toml("p.toml", text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_one_bag_product_counts_its_viable_cells() {
        let product = Certificate::from_toml("p.toml", ONE_BAG).unwrap();
        // 2 × 10⁶/mL × 50 mL × 90 % = 9 × 10⁷.
        assert_eq!(product.bags()[0].counted().to_string(), "90000000");
        assert_eq!(product.identity().sha256().len(), 64);
    }

    #[test]
    fn every_rule_of_the_format_is_a_refusal_with_its_place() {
        assert_eq!(
            refusal(&ONE_BAG.replace("viable\"", "living\"")),
            "product file p.toml: line 3, column 10: unknown variant `living`, expected one of `total-nucleated`, `viable`, `car-positive-viable`, `cd34-positive`"
        );
        assert!(
            refusal(&ONE_BAG.replace("volume = \"50mL\"", "volume = \"50\""))
                .contains("line 6, column 10: volume \"50\" has no unit")
        );
        assert!(
            refusal(&ONE_BAG.replace("counts = \"viable\"", "counts = \"car-positive-viable\""))
                .contains("needs `positive`")
        );
        assert!(
            refusal(&format!("{ONE_BAG}positive = \"50%\"\n")).contains("which does not use it")
        );
        assert!(refusal(&format!("{ONE_BAG}[[bag]]\nid = \"A\"\nvolume = \"5mL\"\ntotal = \"1e6\"\nviability = \"90%\"\n")).contains("line 9, column 1: bag id \"A\" is used twice"));
        assert!(refusal(&ONE_BAG.replace("format = 1", "format = 2")).contains("product format 1"));
        assert!(
            refusal(&format!("{ONE_BAG}colour = \"red\"\n")).contains("unknown field `colour`")
        );
        assert!(refusal(&ONE_BAG.replace("id = \"P1\"", "id = \"P1\\u001b[2J\"")).contains("ESC"));
        assert!(
            refusal(&ONE_BAG.replace("id = \"P1\"", "id = \"P1\"\ndin = \"W1234 26 00041\""))
                .contains("line 3, column 7: donation identification number")
        );
        assert!(
            refusal(&ONE_BAG.replace("[[bag]]", "# \u{202e}\n[[bag]]"))
                .contains("line 4, column 3")
        );
        let big = format!("{ONE_BAG}#{}\n", "x".repeat(PRODUCT_MAX_BYTES));
        assert!(refusal(&big).contains("larger than the 1,048,576 bytes"));
    }
}
