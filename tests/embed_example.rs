//! The embedding example runs as part of the test suite, with both backends.

#[path = "../examples/embed.rs"]
#[allow(dead_code)]
mod embed;

#[test]
fn embedding_example_runs_with_the_mock_backend() {
    embed::run(true).expect("example runs");
}

#[test]
fn embedding_example_runs_with_groth16() {
    embed::run(false).expect("example runs");
}
