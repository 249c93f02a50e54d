//! Text of `import`.

use migrator::report::import::ImportReport;

use super::{Render, Text, count};

impl Render for ImportReport {
    fn text(&self, out: &mut Text<'_>) {
        let version_width = self
            .revisions
            .iter()
            .map(|r| r.version.as_str().len())
            .max()
            .unwrap_or(0);
        let id_width = self
            .revisions
            .iter()
            .map(|r| r.revision.id.len())
            .max()
            .unwrap_or(0);
        for imported in &self.revisions {
            let mut notes = Vec::new();
            if let Some(why) = &imported.no_transaction {
                notes.push(format!("Transaction: off, as {why}"));
            }
            if !imported.reversible {
                notes.push("nothing undoes it".to_owned());
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!("  ({})", notes.join("; "))
            };
            out.line(format!(
                "{:version_width$}  ->  {:id_width$}  {}{notes}",
                imported.version.as_str(),
                imported.revision.id,
                imported.revision.message_or_empty(),
            ));
        }
        out.line(format!(
            "imported {} from {} into {}",
            count(self.revisions.len(), &format!("{} migration", self.tool)),
            self.source.display(),
            self.folder.display()
        ));
        let last = self.revisions.last().map(|r| r.revision.id.as_str());
        match &self.history {
            Some(history) => match &history.stamp {
                Some(stamp) => out.line(format!(
                    "stamped {} in {}: {} recorded as applied, as its {} says",
                    stamp.target,
                    history.database,
                    count(stamp.inserted.len(), "revision"),
                    history.table
                )),
                None => out.line(format!(
                    "nothing to stamp: {}'s {} in {} records no migration as applied",
                    self.tool, history.table, history.database
                )),
            },
            None => out.note(format!(
                "a database that {} migrated already needs its records first: import with \
                 --database-url, or run `migrator stamp REVISION` there with the revision of \
                 the last version it applied{}",
                self.tool,
                last.map(|id| format!(" ({id} when it applied them all)"))
                    .unwrap_or_default()
            )),
        }
        out.note(format!(
            "next: review and commit {}; `migrator upgrade` applies the revisions a database lacks",
            self.folder.display()
        ));
    }
}
