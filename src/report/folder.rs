//! What the commands that read or write the versions folder return.
