//! forewarn: finds sensitive topics in articles and drafts and suggests the content warning
//! and support lines a careful editor would add.
//!
//! The pipeline, one module per stage: [`input`] → [`normalize`] → [`matcher`] → [`score`]
//! → [`compose`] (with [`support`]) → [`report`] → [`output`] or [`rewrite`]. [`engine`]
//! runs it on one document; [`lexicon`] loads the data that drives it.
#![warn(missing_docs, clippy::print_stdout, clippy::print_stderr)]

pub mod compose;
pub mod config;
pub mod engine;
pub mod input;
pub mod lexicon;
pub mod matcher;
pub mod normalize;
pub mod output;
pub mod report;
pub mod rewrite;
pub mod safe_messaging;
pub mod score;
pub mod support;
pub mod train;
