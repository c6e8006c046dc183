//! Print the lossless tree of a file (debugging aid).
#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "debug")]
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let src = std::fs::read_to_string(&path).unwrap();
    let (_, tree) = icp_syntax::parse_with_tree(&src);
    println!("{tree:#?}");
}
