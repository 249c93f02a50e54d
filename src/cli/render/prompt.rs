//! Questions to the person at the terminal, before a change that needs a
//! second look.

use std::io::{BufRead, IsTerminal, Write};

use migrator::Error;
use migrator::migrator::RepairPlan;

/// Asks whether to record new checksums for the revisions `plan` chose.
/// Without a terminal to ask on, or on any answer but yes, a refusal: a
/// script never repairs by accident.
pub fn confirm_repair(plan: &RepairPlan) -> Result<(), Error> {
    let forgotten: Vec<&str> = plan.forget.iter().map(|f| f.revision.as_str()).collect();
    let ids = plan
        .chosen
        .iter()
        .map(String::as_str)
        .chain(forgotten.iter().copied())
        .collect::<Vec<_>>()
        .join(", ");
    if !std::io::stdin().is_terminal() {
        return Err(Error::refused(
            format!("repair of {ids} needs a confirmation, and there is no terminal to ask on"),
            Some("pass --yes once the edit was reviewed".to_string()),
        ));
    }
    {
        let mut stderr = anstream::stderr().lock();
        let mut questions = Vec::new();
        if !plan.chosen.is_empty() {
            questions.push(format!(
                "record new checksums for {}",
                plan.chosen.join(", ")
            ));
        }
        for forget in &plan.forget {
            questions.push(format!(
                "forget that {} statement(s) of {} ran (undo them by hand first: its next run starts at its first statement)",
                forget.done, forget.revision
            ));
        }
        let _ = write!(stderr, "{}? [y/N] ", questions.join("; "));
        let _ = stderr.flush();
    }
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        return Ok(());
    }
    Err(Error::refused(
        format!("repair of {ids} not confirmed: nothing changed"),
        None,
    ))
}
