//! The documentation against the code: every example protocol file on the format page verbatim
//! and every page example loading, and every donation identification number printed anywhere in
//! the documentation carrying its true ISO/IEC 7064 check character.

use super::repository;

#[test]
fn every_example_file_is_on_the_format_page_and_every_page_example_loads() {
    let root = repository();
    let page = std::fs::read_to_string(format!("{root}/docs/protocol-format.md")).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(format!("{root}/examples/protocols"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 15);
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            page.contains(&format!("```toml\n{text}```")),
            "{} is not on the page verbatim",
            file.display()
        );
    }
    let blocks: Vec<&str> = page
        .split("```toml\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), files.len());
    let mut catalogue = celldose::Catalogue::builtin().unwrap();
    for block in blocks {
        catalogue
            .add(celldose::Protocol::from_toml("page", block).unwrap())
            .unwrap();
    }
}

/// ISO/IEC 7064 MOD 37-2, written here from the standard, independent of the library's.
fn mod_37_2(text: &str) -> char {
    const SET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";
    let mut p = 0usize;
    for c in text.chars() {
        p = ((p + SET.find(c).unwrap()) * 2) % 37;
    }
    SET.chars().nth((38 - p) % 37).unwrap()
}

#[test]
fn every_din_the_documentation_prints_has_its_true_check_character() {
    let mut files = vec![format!("{}/README.md", repository())];
    for dir in ["docs", "examples/products", "examples/protocols"] {
        for entry in std::fs::read_dir(format!("{}/{dir}", repository())).unwrap() {
            files.push(entry.unwrap().path().display().to_string());
        }
    }
    let mut seen = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let chars: Vec<char> = text.chars().collect();
        // A DIN as printed: a facility code (letter or digit, then four digits), a space, two
        // digits, a space, six digits; perhaps a space and its check character.
        for start in 0..chars.len().saturating_sub(15) {
            let window: String = chars[start..start + 15].iter().collect();
            let shape = window.char_indices().all(|(i, c)| match i {
                0 => c.is_ascii_alphanumeric(),
                5 | 8 => c == ' ',
                _ => c.is_ascii_digit(),
            });
            if !shape || (start > 0 && chars[start - 1].is_ascii_alphanumeric()) {
                continue;
            }
            let compact: String = window.chars().filter(|c| *c != ' ').collect();
            let expected = mod_37_2(&compact);
            let library = celldose::certificate::DonationId::parse(&window)
                .unwrap()
                .check_character();
            assert_eq!(library, expected, "{file}: {window}");
            if chars.get(start + 15) == Some(&' ')
                && let Some(check) = chars.get(start + 16)
                && (check.is_ascii_uppercase() || *check == '*')
                && !chars
                    .get(start + 17)
                    .is_some_and(|c| c.is_ascii_alphanumeric())
            {
                assert_eq!(*check, expected, "{file}: {window} {check}");
            }
            seen += 1;
        }
    }
    assert!(seen >= 5, "{seen} DINs found");
}
