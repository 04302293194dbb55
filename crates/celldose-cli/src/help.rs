//! The long help each command ends with: example command lines and the exit codes it can give,
//! kept apart from the argument definitions they follow.

pub const TOP_HELP: &str = "\
Examples:
  celldose dose --protocol NCT07276568 --arm alf --level 1 --weight 72.5kg
  celldose check --protocol NCT06167473 --arm low-dose --weight 70kg --cells 6.9e7 --tolerance 10%
  celldose batch --input dispensing.csv --format csv > checked.csv

Exit codes (each command's --help lists those it can give):
  0  within the protocol, or done
  1  outside the protocol
  2  the request itself is wrong: one line on stderr, nothing on stdout
  3  review: past a soft limit, not acknowledged
  4  no dose was chosen on a range protocol";

pub const DOSE_HELP: &str = "\
Examples:
  celldose dose --protocol NCT07276568 --arm alf --level 1 --weight 72.5kg
  celldose dose --protocol NCT01218464 --arm msc --dose 0.75e6/kg --weight 60kg --born 1961-04-02
  celldose --trial-state examples/trial-state.toml dose --protocol NCT05227846 --level 2 \\
      --weight 70kg --age 50

Exit codes:
  0  the verdict is within the protocol
  1  the verdict is outside the protocol: at least one hard finding
  2  the request itself is wrong (a bad flag or number, an unknown protocol, arm or level, an
     invalid protocol or trial state file): one line on stderr, nothing on stdout
  3  the verdict is review: past a soft limit (a tolerance, a cap below the minimum, an
     escalation step not shown open); repeat with --acknowledge \"<reason>\" to accept it
  4  no dose was chosen: the protocol gives a range, shown for this patient; give --level or
     --dose for a verdict on a dose";

pub const CHECK_HELP: &str = "\
Examples:
  celldose check --protocol NCT06167473 --arm low-dose --weight 70kg --born 1961-04-02 \\
      --cells 6.9e7 --tolerance 10%
  celldose check --protocol NCT07276568 --arm alf --level 1 --weight 72.5kg --cells 1.2e9 --tolerance 10%
  celldose --protocol-file examples/protocols/car-t-product-limits.toml check --protocol DEMO-CART \\
      --weight 120kg --current-weight 118kg --product examples/products/car-t-two-bags.toml
  celldose --protocol-file examples/protocols/split-dose.toml check --protocol DEMO-SPLIT \\
      --weight 60kg --infusion 2 --given 6e7 --cells 1.9e8

Exit codes:
  0  what was delivered is within the protocol
  1  it is outside the protocol: at least one hard finding
  2  the request itself is wrong: one line on stderr, nothing on stdout
  3  review: past a soft limit; repeat with --acknowledge \"<reason>\" to accept it";

pub const PREPARE_HELP: &str = "\
Examples:
  celldose prepare --protocol NCT06167473 --arm low-dose --weight 70kg --concentration 2.5e6/mL \\
      --viability 96% --available 50mL --tolerance 5%
  celldose prepare --protocol NCT07276568 --arm alf --level 1 --weight 72.5kg \\
      --concentration 5e7/mL --viability 92% --available 40mL --step 0.1mL
  celldose --protocol-file examples/protocols/car-t-product-limits.toml prepare --protocol DEMO-CART \\
      --weight 120kg --current-weight 118kg --product examples/products/car-t-two-bags.toml

Exit codes:
  0  the volume to draw delivers a dose within the protocol
  1  it does not: at least one hard finding (the product may be too short)
  2  the request itself is wrong: one line on stderr, nothing on stdout
  3  review: past a soft limit; repeat with --acknowledge \"<reason>\" to accept it";

pub const LISTING_HELP: &str = "\
Examples:
  celldose protocols
  celldose show NCT07276568
  celldose --protocol-dir /srv/protocols --no-builtin show --protocol NCT07276568 --format json

Exit codes:
  0  listed
  2  an unknown protocol, or a protocol or trial state file that cannot be loaded";

pub const VALIDATE_HELP: &str = "\
Examples:
  celldose validate my-protocol.toml
  celldose validate amended/nct07276568.toml --format json
  celldose --trial-state site-state.toml validate

Exit codes:
  0  every file is valid
  2  a file is invalid (each is reported on stdout), or none was given";

pub const SERVE_HELP: &str = "\
Examples:
  celldose serve
  celldose --protocol-dir /srv/protocols --no-builtin serve --port 8081 --audit-log dispensing-audit.jsonl
  celldose serve --users users.toml --audit-log dispensing-audit.jsonl
  celldose serve --listen 0.0.0.0 --users users.toml --tls-cert site.pem --tls-key site-key.pem

The page binds 127.0.0.1 (this machine only) unless --listen names another address; an address
other machines can reach needs --users and --tls-cert/--tls-key, or it refuses to start. With
--users, every page needs a signed-in user (sessions end after 15 minutes without use; five failed
sign-ins lock a name for 5 minutes), every API call HTTP Basic credentials (curl -u alice), and
every record names the user; without it, records name this account, as claimed. It answers
only requests addressed to the listen address, localhost, 127.0.0.1 or [::1] on its port, or to a
name given with --allowed-host. It reads the protocol and trial state files again at each request.
With --audit-log, a result is shown only once its record is synced to disk; with the global
--audit-key FILE, every record is signed.

Exit codes:
  0  stopped with Ctrl-C
  2  the protocols, trial state or audit log cannot be loaded, or the address cannot be bound";

pub const GENERATE_HELP: &str = "\
Examples:
  celldose completions bash > /etc/bash_completion.d/celldose
  celldose man > celldose.1

Exit codes:
  0  written
  2  an unknown shell";

pub const ESCALATION_HELP: &str = "\
Outcomes are written as the R package escalation writes them: '1NNN 2NTN' is level 1 with three
patients and no DLT, then level 2 with three patients of whom the second had a DLT (docs/escalation.md).

Examples:
  celldose --trial-state examples/trial-state-with-outcomes.toml escalation --protocol NCT05227846 --design 3+3
  celldose escalation --design boin --target 0.3 --levels 4 --outcomes 1NNN
  celldose escalation boundaries --design boin --target 0.3 --cohort-size 3 --max-n 30

Exit codes:
  0  a recommendation (whatever it is) or a table was printed
  2  refused: no design, no outcomes, an unknown level or a malformed value";

pub const BATCH_HELP: &str = "\
Input: CSV whose header names columns after the dose/check flags:
  protocol, arm, level, dose, weight, age, born, on, cells, tolerance, acknowledge, rounding,
  current_weight, product, bags, infusion, given, patient, given_dmso, scan (scans separated
  by ;), thawed_at, thaw_started_at, infusion_start
protocol and weight are required; an empty cell is an absent flag; an unknown column is an
error. A row with cells is a check, otherwise a dose. Every row gives exactly one output record,
in input order, with row (1-based data row) and either the dose/check fields or error. A summary
goes to stderr.

Exit codes:
  0  every row is within the protocol
  1  a row is outside the protocol or could not be computed
  2  the input cannot be read at all (missing file, no header, unknown column)
  3  no row is outside or in error, but a row is review
  4  no row is outside, in error or review, but a dose row chose no dose";

pub const VERIFY_HELP: &str = "\
Examples:
  celldose --user alice check --protocol NCT07276568 --arm alf --level 1 --weight 72.5kg \\
      --cells 1.2e9 --tolerance 10% --audit-log dispensing-audit.jsonl
  celldose --user bob verify --record 1 --protocol NCT07276568 --arm alf --level 1 \\
      --weight 72.5kg --cells 1.2e9 --tolerance 10% --audit-log dispensing-audit.jsonl

A second pharmacist works the dose out again from the sources (chart weight, order, certificate,
bag labels), not from the first person's figures, and gives the same options the original check
or prepare took. celldose computes again and compares every input and result figure of the two:
equal, a record at the stage verified names the preparation's record and both users; different,
a record at the stage verification-failed and the hard finding double-check-mismatch list each
field with both values, and nothing is released. The user who prepared a record cannot verify it.

Exit codes:
  0  the two agree and the verdict is within
  1  the two differ (double-check-mismatch), or the verdict is outside
  2  refused: no such record, not a preparation, the same user, or options that are not accepted
  3  the two agree and the verdict is review
";
