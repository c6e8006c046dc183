#![allow(missing_docs, clippy::disallowed_methods, reason = "tmp")]
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let src = std::fs::read_to_string(&path).unwrap_or_default();
    let p = icp_syntax::parse(&src);
    for i in &p.file.items {
        println!("item {} {:?}", i.keyword(), i.name());
    }
    for d in &p.diagnostics {
        println!("{}", d.render(&path, &src, false));
    }
}
