//! A deliberately simple second evaluator of the ICP language contract
//! (`LANGUAGE.md`, Revision 2 included), and a differential test of `icp score` against it.
//!
//! The oracle is written from the contract and `docs/language.md`, not from the evaluator's
//! code: it shares only the parser ([`icp_syntax::parse`]) with the implementation under test.
//! It reads the program's typed tree ([`model`]), reads CSV cells by the contract's reading
//! rules ([`read`]), and walks expressions with SQL's three-valued logic over exact decimals
//! ([`eval`]). It is slow and small on purpose: one `match` per rule of the contract.
//!
//! [`generate`] makes random well-typed programs and messy rows, and [`diff`] runs the real `icp`
//! binary on them, compares every row (tier, invalid or not, score, coverage and group scores
//! as displayed) and shrinks a disagreement to a small program and one row.
//!
//! ```
//! use icp_oracle::{eval, model::Program, read};
//! let src = "schema A {\n  id: text key\n  n: int?\n}\nprofile p for A {\n  criterion big weight 10 { n > 5 }\n  tier top >= 50\n  tier rest\n}\n";
//! let prog = Program::load(src, None).unwrap();
//! let rows = read::read_csv(&prog, "id,n\na,7\nb,NA\nc,x\n").unwrap();
//! let out = eval::score_rows(&prog, &rows, 0).unwrap();
//! assert_eq!(out[0].tier, "top");
//! assert_eq!(out[1].tier, "rest");
//! assert_eq!(eval::display(out[1].coverage.unwrap()), "0.00");
//! assert_eq!(out[2].tier, "invalid");
//! ```

pub mod diff;
pub mod eval;
pub mod fold;
pub mod generate;
pub mod model;
pub mod read;
pub mod value;
