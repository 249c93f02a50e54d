//! What a person sees: suggestions for a mistyped id, drift diffs, colour on
//! each stream, and file names that try to talk to the terminal.

#[macro_use]
mod support;

use support::{Backend, Project};

#[test]
fn an_unknown_parent_is_never_offered_its_own_revision() {
    let p = Project::new(Backend::Sqlite);
    p.revision("0001_users", &[], "", "")
        .revision("0002_emails", &["0002_users"], "", "");
    p.run(&["heads"])
        .failure(1)
        .stderr_has("0002_emails names a parent that does not exist: `0002_users`")
        .stderr_lacks("did you mean `0002_emails`")
        .stderr_has("did you mean `0001_users`?");

    p.revision("0002_orders", &["0001_users"], "", "");
    p.run(&["heads"])
        .failure(1)
        .stderr_has("did you mean `0002_orders`?");
}
