//! Tamper suite: real Groth16 artifacts of the tiny_relu fixture, altered the
//! ways an attacker (or a corrupted disk) would alter them. Every altered
//! artifact must be refused with a typed error or rejected with `Ok(false)`;
//! nothing may be accepted and nothing may panic.
//!
//! Also here: hostile `input.json` values and the resource bounds (plans
//! beyond the limits, a 200 MB garbage "model").
//!
//! Each test prints its case counts (`cargo test --test tamper -- --nocapture`);
//! `docs/security.md` ("What was tried") records them.

use std::collections::BTreeMap;

use ark_std::rand::{rngs::StdRng, SeedableRng};
use zkinfer::backend::{BackendError, ByteEncoding, CircuitKey, ProvingBackend, PublicInputs};
use zkinfer::groth16::Groth16Bn254;
use zkinfer::ir::{Graph, Tensor};
use zkinfer::layout::{
    public_input_layout, InputVisibility, LayoutError, OutputVisibility, PublicSegment, Visibility,
    WeightVisibility,
};
use zkinfer::{CompiledModel, Fr, InputData, Pipeline, Settings, ZkinferError};

type Vk = <Groth16Bn254 as ProvingBackend>::VerifyingKey;
type Proof = <Groth16Bn254 as ProvingBackend>::Proof;

fn fixture_dir(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// A fixture's graph and its bundled input.
fn fixture(name: &str) -> (Graph, Vec<Tensor>) {
    let dir = fixture_dir(name);
    let graph = zkinfer::onnx::load_model(dir.join("model.onnx")).expect("fixture loads");
    let inputs = InputData::load(dir.join("input.json"))
        .and_then(|d| d.first_tensors(&graph))
        .expect("fixture input fits");
    (graph, inputs)
}

/// Compile a fixture at a fixed scale (no search: fast and reproducible).
fn compile(name: &str, visibility: Visibility, scale: u32) -> (CompiledModel, Vec<Tensor>) {
    let (graph, inputs) = fixture(name);
    let mut settings = Settings::new();
    settings.search.enabled = false;
    settings.quant.input_scale = scale;
    settings.quant.weight_scale = scale;
    settings.quant.activation_scale = scale;
    settings.plan.visibility = visibility;
    let compiled = CompiledModel::compile(graph, std::slice::from_ref(&inputs), settings)
        .expect("fixture compiles");
    (compiled, inputs)
}

/// Bytes of a verifying key, a proof and its statement, as `zkinfer prove` writes them.
struct Artifacts {
    compiled: CompiledModel,
    vk: Vec<u8>,
    proof: Vec<u8>,
    public: PublicInputs<Fr>,
}

fn prove(name: &str, visibility: Visibility, scale: u32, seed: u64) -> Artifacts {
    let (compiled, inputs) = compile(name, visibility, scale);
    let mut rng = StdRng::seed_from_u64(seed);
    let pipeline: Pipeline = Pipeline::new(compiled);
    let keys = pipeline.setup(&mut rng).expect("setup");
    let proven = pipeline
        .prove(&keys.proving_key, &inputs, &mut rng)
        .expect("prove");
    Artifacts {
        compiled: pipeline.compiled,
        vk: keys.verifying_key.to_bytes(),
        proof: proven.proof.to_bytes(),
        public: proven.public_inputs,
    }
}

fn hashed_everything() -> Visibility {
    Visibility {
        input: InputVisibility::Public,
        weights: WeightVisibility::Hashed,
        output: OutputVisibility::Public,
    }
}

/// How a tampered artifact was refused.
#[derive(Debug, Default)]
struct Tally {
    /// Bytes that did not decode (typed `BackendError::Decode`).
    undecodable: usize,
    /// Decoded, but could not be checked against the key (circuit, count).
    refused: usize,
    /// Checked and rejected: `Ok(false)`.
    rejected: usize,
}

impl Tally {
    fn total(&self) -> usize {
        self.undecodable + self.refused + self.rejected
    }

    /// Decode and verify; panics if the tampered artifacts are accepted.
    fn check(&mut self, vk: &[u8], public: &PublicInputs<Fr>, proof: &[u8], case: &str) {
        let vk = match Vk::from_bytes(vk) {
            Ok(vk) => vk,
            Err(BackendError::Decode { .. }) => return self.undecodable += 1,
            Err(other) => panic!("{case}: verifying key refused with an untyped reason: {other}"),
        };
        let proof = match Proof::from_bytes(proof) {
            Ok(proof) => proof,
            Err(BackendError::Decode { .. }) => return self.undecodable += 1,
            Err(other) => panic!("{case}: proof refused with an unexpected error: {other}"),
        };
        match Pipeline::<Groth16Bn254>::verify(&vk, public, &proof) {
            Ok(true) => panic!("{case}: tampered artifacts ACCEPTED"),
            Ok(false) => self.rejected += 1,
            Err(ZkinferError::Backend(
                BackendError::CircuitMismatch { .. }
                | BackendError::PublicInputCount { .. }
                | BackendError::PublicMetadata { .. },
            )) => self.refused += 1,
            Err(other) => panic!("{case}: unexpected error {other}"),
        }
    }
}

#[test]
fn the_untampered_artifacts_verify() {
    for visibility in [Visibility::default(), hashed_everything()] {
        let a = prove("tiny_relu", visibility, 7, 1);
        let vk = Vk::from_bytes(&a.vk).unwrap();
        let proof = Proof::from_bytes(&a.proof).unwrap();
        assert!(Pipeline::<Groth16Bn254>::verify(&vk, &a.public, &proof).unwrap());
        let json = PublicInputs::<Fr>::from_json(&a.public.to_json()).unwrap();
        assert!(Pipeline::<Groth16Bn254>::verify(&vk, &json, &proof).unwrap());
    }
}

#[test]
fn every_altered_proof_byte_is_refused() {
    let a = prove("tiny_relu", Visibility::default(), 7, 2);
    let mut tally = Tally::default();
    for position in 0..a.proof.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut proof = a.proof.clone();
            proof[position] ^= mask;
            tally.check(
                &a.vk,
                &a.public,
                &proof,
                &format!("proof byte {position} ^ {mask:#04x}"),
            );
        }
    }
    for len in 0..a.proof.len() {
        tally.check(
            &a.vk,
            &a.public,
            &a.proof[..len],
            &format!("proof cut at {len}"),
        );
    }
    for extra in [0x00u8, 0xff] {
        let mut proof = a.proof.clone();
        proof.push(extra);
        tally.check(&a.vk, &a.public, &proof, "proof + 1 byte");
    }
    // The two G1 points and the G2 point, swapped around (well-formed bytes).
    let (a_pt, rest) = a.proof.split_at(32);
    let (b_pt, c_pt) = rest.split_at(64);
    for (what, proof) in [
        ("A and C swapped", [c_pt, b_pt, a_pt].concat()),
        ("A twice", [a_pt, b_pt, a_pt].concat()),
        ("C twice", [c_pt, b_pt, c_pt].concat()),
    ] {
        tally.check(&a.vk, &a.public, &proof, what);
    }
    println!("proof tampering: {tally:?}, {} cases", tally.total());
    assert_eq!(tally.total(), a.proof.len() * 4 + 2 + 3);
}

/// The ways a statement can be altered: each value ±1, pairs swapped, one
/// dropped, one added, the circuit digest altered.
fn altered_statements(public: &PublicInputs<Fr>) -> Vec<(String, PublicInputs<Fr>)> {
    let mut out = Vec::new();
    let n = public.len();
    for i in 0..n {
        for (what, delta) in [("+1", Fr::from(1u64)), ("-1", -Fr::from(1u64))] {
            let mut p = public.clone();
            p.values[i].value += delta;
            out.push((format!("value {i} {what}"), p));
        }
        let mut p = public.clone();
        p.values[i].value = -p.values[i].value;
        if p != *public {
            out.push((format!("value {i} negated"), p));
        }
        let mut p = public.clone();
        p.values.remove(i);
        out.push((format!("value {i} dropped"), p));
        for j in i + 1..n {
            if public.values[i].value != public.values[j].value {
                let mut p = public.clone();
                p.values.swap(i, j);
                out.push((format!("values {i} and {j} swapped"), p));
            }
        }
    }
    for extra in [Fr::from(0u64), Fr::from(1u64)] {
        let mut p = public.clone();
        p.values.push(p.values[0].clone());
        p.values.last_mut().unwrap().value = extra;
        out.push((format!("extra value {extra}"), p));
    }
    let mut p = public.clone();
    p.values.clear();
    out.push(("no values".into(), p));
    for byte in 0..32 {
        let mut p = public.clone();
        p.circuit.0[byte] ^= 1;
        out.push((format!("circuit digest byte {byte}"), p));
    }
    out
}

#[test]
fn every_altered_public_input_is_refused() {
    let mut cases = 0;
    for visibility in [Visibility::default(), hashed_everything()] {
        let a = prove("tiny_relu", visibility, 7, 3);
        let mut tally = Tally::default();
        for (case, public) in altered_statements(&a.public) {
            tally.check(&a.vk, &public, &a.proof, &format!("{visibility}: {case}"));
            // The same statement through its JSON form.
            let json = PublicInputs::<Fr>::from_json(&public.to_json()).expect("round trip");
            tally.check(
                &a.vk,
                &json,
                &a.proof,
                &format!("{visibility}: {case} (JSON)"),
            );
        }
        println!(
            "public inputs ({visibility}, {} values): {tally:?}",
            a.public.len()
        );
        cases += tally.total();
    }
    // A value spelled non-canonically (p + v names the same element) is refused at parse time.
    let a = prove("tiny_relu", Visibility::default(), 7, 3);
    let json = a.public.to_json();
    let value = a.public.values[0].value.to_string();
    let modulus = num_plus_modulus(&value);
    let edited = json.replacen(&format!("\"{value}\""), &format!("\"{modulus}\""), 1);
    assert_ne!(edited, json);
    assert!(matches!(
        PublicInputs::<Fr>::from_json(&edited),
        Err(BackendError::PublicInputsJson(_))
    ));
    println!("public-input tampering: {} cases", cases + 1);
}

/// Every byte of `public.json` flipped (`^0x01`, `^0x80`, `^0xff`): the
/// text no longer parses, or names another statement that is refused or
/// rejected. A flip that lands in a value's human-readable metadata (label,
/// scale, dequantized float) leaves the proven statement intact but must
/// not leave it *described* differently: verification refuses a float that
/// is not `integer × scale`, and the compiled model refuses any other label
/// or scale (finding 5 of docs/security.md, fixed).
#[test]
fn every_altered_public_json_byte_is_refused() {
    let mut total = 0;
    for (what, visibility) in [
        ("default", Visibility::default()),
        ("hashed", hashed_everything()),
    ] {
        let a = prove("tiny_relu", visibility, 7, 14);
        let json = a.public.to_json().into_bytes();
        let vk = Vk::from_bytes(&a.vk).unwrap();
        let proof = Proof::from_bytes(&a.proof).unwrap();
        let mut tally = Tally::default();
        let (mut metadata_by_verify, mut metadata_by_model) = (0, 0);
        for position in 0..json.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut text = json.clone();
                text[position] ^= mask;
                let case = format!("{what} public.json byte {position} ^ {mask:#04x}");
                let parsed = std::str::from_utf8(&text)
                    .ok()
                    .and_then(|text| PublicInputs::<Fr>::from_json(text).ok());
                let Some(public) = parsed else {
                    tally.undecodable += 1;
                    continue;
                };
                if public.circuit != a.public.circuit
                    || public.field_elements() != a.public.field_elements()
                {
                    tally.check(&a.vk, &public, &a.proof, &case);
                    continue;
                }
                assert_ne!(public, a.public, "{case}: a flip that changes nothing");
                match Pipeline::<Groth16Bn254>::verify(&vk, &public, &proof) {
                    Err(ZkinferError::Backend(BackendError::PublicMetadata { .. })) => {
                        metadata_by_verify += 1
                    }
                    Ok(true) => match a.compiled.check_public_metadata(&public) {
                        Err(ZkinferError::StatementMetadata { .. }) => metadata_by_model += 1,
                        other => panic!("{case}: edited metadata accepted by the model: {other:?}"),
                    },
                    other => panic!("{case}: unexpected {other:?}"),
                }
            }
        }
        println!(
            "public.json tampering ({what}, {} bytes): {tally:?}, metadata edits refused by verify {metadata_by_verify}, by the compiled model {metadata_by_model}",
            json.len()
        );
        assert_eq!(
            tally.total() + metadata_by_verify + metadata_by_model,
            3 * json.len()
        );
        total += 3 * json.len();
    }
    println!("public.json tampering: {total} cases");
}

/// `value + p` as a decimal string.
fn num_plus_modulus(value: &str) -> String {
    use zkinfer::backend::ark_ff::{BigInteger, PrimeField};
    let mut sum = Fr::MODULUS;
    let v: Fr = value.parse().unwrap();
    sum.add_with_carry(&v.into_bigint());
    sum.to_string()
}

#[test]
fn verifying_keys_of_other_circuits_and_altered_keys_are_refused() {
    let a = prove("tiny_relu", Visibility::default(), 7, 4);
    let other_scale = prove("tiny_relu", Visibility::default(), 6, 5);
    let other_model = prove("digits_mlp", Visibility::default(), 7, 6);
    let other_visibility = prove(
        "tiny_relu",
        Visibility {
            weights: WeightVisibility::Fixed,
            ..Visibility::default()
        },
        7,
        7,
    );
    let mut tally = Tally::default();
    for (what, other) in [
        ("another scale", &other_scale),
        ("another model", &other_model),
        ("another visibility", &other_visibility),
    ] {
        // As is: the digest names another circuit.
        tally.check(&other.vk, &a.public, &a.proof, what);
        // Relabelled with the other key's digest, so only cryptography stands in the way.
        let mut public = a.public.clone();
        public.circuit = Vk::from_bytes(&other.vk).unwrap().shape().digest;
        tally.check(&other.vk, &public, &a.proof, &format!("{what}, relabelled"));
        // And the other way round: their proof under our key.
        tally.check(
            &a.vk,
            &other.public,
            &other.proof,
            &format!("{what}'s proof"),
        );
    }
    let mut cases = tally.total();
    println!("verifying keys of other circuits: {tally:?}, {cases} cases");
    // Every byte of vk.bin, for two keys (outputs public; input public and
    // weights hashed, which has more public inputs). Since format 2 the
    // counts are bound to the digest, so no flip leaves the key verifying.
    for (what, key) in [
        ("default", a),
        ("hashed", prove("tiny_relu", hashed_everything(), 7, 10)),
    ] {
        let mut tally = Tally::default();
        for position in 0..key.vk.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut vk = key.vk.clone();
                vk[position] ^= mask;
                tally.check(
                    &vk,
                    &key.public,
                    &key.proof,
                    &format!("{what} vk byte {position} ^ {mask:#04x}"),
                );
            }
        }
        for len in 0..key.vk.len() {
            tally.check(
                &key.vk[..len],
                &key.public,
                &key.proof,
                &format!("{what} vk cut at {len}"),
            );
        }
        for extra in [0x00u8, 0xff] {
            let mut vk = key.vk.clone();
            vk.push(extra);
            tally.check(&vk, &key.public, &key.proof, &format!("{what} vk + 1 byte"));
        }
        println!(
            "verifying-key tampering ({what}, {} bytes): {tally:?}, {} cases",
            key.vk.len(),
            tally.total()
        );
        assert_eq!(tally.total(), 4 * key.vk.len() + 2);
        cases += tally.total();
    }
    println!("verifying-key tampering: {cases} cases in all");
}

/// What `zkinfer verify` does with `commitment.json` when weights are hashed:
/// the published commitment must be the statement's weight-commitment input.
fn commitment_matches(compiled: &CompiledModel, public: &PublicInputs<Fr>, published: Fr) -> bool {
    let mut index = 0;
    for segment in public_input_layout(&compiled.model, &compiled.plan) {
        if segment == PublicSegment::WeightCommitment {
            return public.values.get(index).map(|v| v.value) == Some(published);
        }
        index += segment.len(&compiled.model);
    }
    false
}

#[test]
fn an_edited_model_commitment_is_refused() {
    let a = prove("tiny_relu", hashed_everything(), 7, 8);
    let published = a.compiled.model_commitment().expect("weights are hashed");
    assert!(commitment_matches(&a.compiled, &a.public, published));
    let vk = Vk::from_bytes(&a.vk).unwrap();
    let proof = Proof::from_bytes(&a.proof).unwrap();
    let index = a
        .public
        .values
        .iter()
        .position(|v| v.value == published)
        .expect("the statement holds the commitment");
    let mut cases = 0;
    for edited in [
        published + Fr::from(1u64),
        published - Fr::from(1u64),
        Fr::from(0u64),
        -published,
    ] {
        cases += 1;
        // The edited commitment.json no longer matches the proof's statement...
        assert!(!commitment_matches(&a.compiled, &a.public, edited));
        // ...and a statement edited to match it does not verify.
        let mut public = a.public.clone();
        public.values[index].value = edited;
        assert!(commitment_matches(&a.compiled, &public, edited));
        assert!(!Pipeline::<Groth16Bn254>::verify(&vk, &public, &proof).unwrap());
    }
    // Through the JSON file as the CLI writes it.
    let file = format!("{{\"format_version\":1,\"model_commitment\":\"{published}\"}}");
    let value: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(
        value["model_commitment"].as_str(),
        Some(&*published.to_string())
    );
    println!("commitment tampering: {cases} cases");
}

/// `input.json` texts that must be refused (parse error, or a typed error
/// when converted to tensors, quantized or traced) for the tiny_relu fixture.
#[test]
fn hostile_input_json_is_refused() {
    let (compiled, _) = compile("tiny_relu", Visibility::default(), 7);
    let graph = &compiled.graph;
    let hostile = [
        ("too short", r#"{"input_data": [[1.0, 2.0, 3.0]]}"#),
        ("too long", r#"{"input_data": [[1.0, 2.0, 3.0, 4.0, 5.0]]}"#),
        ("empty", r#"{"input_data": [[]]}"#),
        ("no inputs", r#"{"input_data": []}"#),
        ("two inputs", r#"{"input_data": [[1, 2, 3, 4], [1]]}"#),
        (
            "1e999 (inf in JSON)",
            r#"{"input_data": [[1e999, 0, 0, 0]]}"#,
        ),
        ("-1e999", r#"{"input_data": [[0, -1e999, 0, 0]]}"#),
        ("1e39 (inf as f32)", r#"{"input_data": [[0, 0, 1e39, 0]]}"#),
        (
            "1e30 (beyond the bit widths)",
            r#"{"input_data": [[1e30, 0, 0, 0]]}"#,
        ),
        ("-1e30", r#"{"input_data": [[0, 0, 0, -1e30]]}"#),
        (
            "3.4e38 (f32::MAX)",
            r#"{"input_data": [[3.4e38, 0, 0, 0]]}"#,
        ),
        (
            "1e6 (beyond calibration)",
            r#"{"input_data": [[1e6, 0, 0, 0]]}"#,
        ),
        ("NaN literal", r#"{"input_data": [[NaN, 0, 0, 0]]}"#),
        ("string", r#"{"input_data": [["1", 0, 0, 0]]}"#),
        ("null", r#"{"input_data": [[null, 0, 0, 0]]}"#),
        ("nested too deep", r#"{"input_data": [[[[1]]]]}"#),
        ("not a list", r#"{"input_data": 5}"#),
        ("wrong key", r#"{"inputs": [[1, 2, 3, 4]]}"#),
        ("truncated", r#"{"input_data": [[1, 2, 3, 4]"#),
        ("empty text", ""),
    ];
    let mut stages: BTreeMap<&str, usize> = BTreeMap::new();
    for (what, text) in hostile {
        let stage = match InputData::parse(text) {
            Err(_) => "parse",
            Ok(data) => match data.first_tensors(graph) {
                Err(_) => "tensors",
                Ok(tensors) => match compiled.trace(&tensors) {
                    Err(ZkinferError::Quant(_)) => "trace (bit budget)",
                    Err(other) => panic!("{what}: unexpected error {other}"),
                    Ok(_) => panic!("{what}: accepted"),
                },
            },
        };
        *stages.entry(stage).or_default() += 1;
    }
    // The same through proving with the mock backend: refused before synthesis.
    let pipeline = Pipeline::<zkinfer::backend::MockBackend<Fr>>::new(compiled.clone());
    let mut rng = StdRng::seed_from_u64(9);
    let keys = pipeline.setup(&mut rng).unwrap();
    for value in [1e30f32, -1e30, 1e6, f32::MAX, f32::MIN] {
        let tensors = vec![Tensor::from_f32(&[1, 4], vec![value, 0.0, 0.0, 0.0]).unwrap()];
        assert!(
            pipeline
                .prove(&keys.proving_key, &tensors, &mut rng)
                .is_err(),
            "proved with input {value}"
        );
    }
    println!(
        "input JSON tampering: {stages:?}, {} cases",
        hostile.len() + 5
    );
}

#[test]
fn plans_beyond_the_limits_are_refused_before_setup() {
    let (compiled, _) = compile("tiny_relu", Visibility::default(), 7);
    // Memory: a machine with one kilobyte available.
    assert!(matches!(
        compiled.plan.check_limits_with(Some(1024)),
        Err(LayoutError::OutOfMemory { .. })
    ));
    let mut small_machine = compiled.clone();
    small_machine.plan.available_bytes = Some(1024);
    let result = Pipeline::<Groth16Bn254>::new(small_machine).setup(&mut StdRng::seed_from_u64(1));
    assert!(
        matches!(
            result,
            Err(ZkinferError::Layout(LayoutError::OutOfMemory { .. }))
        ),
        "{:?}",
        result.err()
    );
    // Constraints: a plan claiming 2^29 constraints.
    let mut huge = compiled.clone();
    huge.plan.available_bytes = None;
    huge.plan.nodes[0].cost.constraints = 1 << 29;
    let result = Pipeline::<Groth16Bn254>::new(huge).setup(&mut StdRng::seed_from_u64(1));
    assert!(
        matches!(
            result,
            Err(ZkinferError::Layout(LayoutError::TooManyConstraints { .. }))
        ),
        "{:?}",
        result.err()
    );
}

/// A garbage file of 1 GiB and one byte: sparse (`File::set_len`), so it
/// costs no disk, but a loader that read it whole would allocate a gigabyte.
fn sparse_garbage(path: &std::path::Path) -> u64 {
    let size = (1u64 << 30) + 1;
    let file = std::fs::File::create(path).unwrap();
    file.set_len(size).unwrap();
    size
}

/// Each loader refuses the file from its size alone ([`FileTooLarge`]
/// errors are raised before the first read) and names the file, its size
/// and the bound.
///
/// [`FileTooLarge`]: ZkinferError::FileTooLarge
#[test]
fn a_huge_file_is_refused_by_every_loader_before_reading() {
    use zkinfer::onnx::OnnxError;
    use zkinfer::workdir::{COMMITMENT, COMPILED, PROOF, PUBLIC, SETTINGS, VERIFYING_KEY};
    use zkinfer::{FileKind, WorkDir};

    let dir = std::env::temp_dir().join(format!("zkinfer-huge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let started = std::time::Instant::now();
    let mut refused = 0;

    let model = dir.join("model.onnx");
    let size = sparse_garbage(&model);
    match zkinfer::onnx::load_model(&model) {
        Err(OnnxError::FileTooLarge {
            path,
            size: found,
            limit,
        }) => {
            assert_eq!(
                (found, limit),
                (size, zkinfer::onnx::DEFAULT_MAX_MODEL_BYTES)
            );
            assert!(path.ends_with("model.onnx"));
            refused += 1;
        }
        other => panic!("ONNX loader: expected FileTooLarge, got {other:?}"),
    }
    // A smaller bound, configured: the 492-byte tiny_relu model is refused at 64 bytes.
    let tiny = fixture_dir("tiny_relu").join("model.onnx");
    let options = zkinfer::onnx::LoadOptions {
        max_file_bytes: 64,
        ..Default::default()
    };
    assert!(matches!(
        zkinfer::onnx::load_model_with(&tiny, &options),
        Err(OnnxError::FileTooLarge { limit: 64, .. })
    ));
    // The facade's model reading (`zkinfer compile`) and input data.
    let expect_too_large =
        |result: Result<_, ZkinferError>, kind: FileKind, what: &str| match result {
            Err(ZkinferError::FileTooLarge {
                kind: found_kind,
                size: found,
                limit,
                ref path,
            }) => {
                assert_eq!(found_kind, kind, "{what}");
                assert_eq!(found, size, "{what}");
                assert_eq!(limit, kind.max_bytes(), "{what}");
                assert!(path.starts_with(&*dir.to_string_lossy()), "{what}: {path}");
                let message = result.unwrap_err().to_string();
                assert!(message.contains(&size.to_string()), "{message}");
            }
            Err(other) => panic!("{what}: expected FileTooLarge, got {other}"),
            Ok(_) => panic!("{what}: read a 1 GiB file"),
        };
    expect_too_large(
        zkinfer::read_bounded(&model, FileKind::Model).map(|_| ()),
        FileKind::Model,
        "model",
    );
    refused += 1;
    let input = dir.join("input.json");
    sparse_garbage(&input);
    expect_too_large(
        InputData::load(&input).map(|_| ()),
        FileKind::InputData,
        "input.json",
    );
    refused += 1;
    // Every artifact `zkinfer verify` (and `prove`) reads from a working directory.
    let workdir = WorkDir::new(&dir);
    for (name, kind) in [
        (VERIFYING_KEY, FileKind::VerifyingKey),
        (PROOF, FileKind::Proof),
        (PUBLIC, FileKind::PublicInputs),
        (COMMITMENT, FileKind::Commitment),
        (SETTINGS, FileKind::Settings),
        (COMPILED, FileKind::Compiled),
    ] {
        sparse_garbage(&workdir.path(name));
        expect_too_large(workdir.read(name).map(|_| ()), kind, name);
        refused += 1;
    }
    let elapsed = started.elapsed();
    // Reading a gigabyte would take seconds; refusing from metadata takes microseconds.
    assert!(elapsed.as_secs() < 5, "took {elapsed:?}");
    println!("huge files: {refused} loaders refused a 1 GiB file in {elapsed:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_model_files_are_refused_without_panicking() {
    let dir = std::env::temp_dir().join(format!("zkinfer-tamper-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // 200 MB of zeros (under the bound, so read and parsed): an error, not a panic.
    let zeros = dir.join("zeros.onnx");
    std::fs::File::create(&zeros)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    let result = zkinfer::onnx::load_model(&zeros);
    assert!(result.is_err(), "200 MB of zeros loaded as a model");
    // A few bytes claiming a one-terabyte graph field (field 7, length-delimited).
    let mut claim = vec![0x3a];
    let mut len: u64 = 1 << 40;
    while len >= 0x80 {
        claim.push((len as u8) | 0x80);
        len >>= 7;
    }
    claim.push(len as u8);
    let liar = dir.join("liar.onnx");
    std::fs::write(&liar, &claim).unwrap();
    assert!(zkinfer::onnx::load_model(&liar).is_err());
    // A real model followed by 1 MB of garbage.
    let mut padded = std::fs::read(fixture_dir("tiny_relu").join("model.onnx")).unwrap();
    padded.extend(std::iter::repeat_n(0xffu8, 1 << 20));
    let _ = zkinfer::onnx::load_model_bytes(&padded, &Default::default());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// FINDING (zkinfer-backend, `encoding::read_compressed_exact`, via ark-ec's
/// compressed short-Weierstrass decoding): a point at infinity decodes
/// whatever its coordinate bytes hold, so one proof (or key) has many byte
/// encodings. Found by `fuzz/fuzz_targets/backend_bytes.rs` in a proving
/// key; minimal here in a proof. Fix: re-encode after decoding and refuse
/// bytes that differ. Ignored until fixed.
#[test]

fn non_canonical_infinity_encodings_are_refused() {
    let mut proof = vec![0u8; 128];
    // A, B, C at infinity: the flag is bit 6 of each point's last byte.
    proof[31] = 0x40;
    proof[95] = 0x40;
    proof[127] = 0x40;
    let canonical = Proof::from_bytes(&proof).expect("the identity proof decodes");
    assert_eq!(canonical.to_bytes(), proof);
    // The same proof with junk in A's x coordinate.
    proof[0] = 0x20;
    assert!(
        Proof::from_bytes(&proof).is_err(),
        "a non-canonical encoding of the point at infinity decoded"
    );
}

/// A three-constraint circuit (`x² = y`, `y·x = z`, `z + x = out`, `out`
/// public): its Groth16 proving key is about 1 KB, so the proving-key fuzz
/// targets decode one per execution in microseconds.
#[derive(Clone, Copy)]
struct TinyCircuit;

impl zkinfer::backend::ark_relations::gr1cs::ConstraintSynthesizer<Fr> for TinyCircuit {
    fn generate_constraints(
        self,
        cs: zkinfer::backend::ark_relations::gr1cs::ConstraintSystemRef<Fr>,
    ) -> Result<(), zkinfer::backend::ark_relations::gr1cs::SynthesisError> {
        use zkinfer::backend::ark_relations::{gr1cs::Variable, lc};
        let x = Fr::from(3u64);
        let out = cs.new_input_variable(|| Ok(x * x * x + x))?;
        let x_var = cs.new_witness_variable(|| Ok(x))?;
        let y = cs.new_witness_variable(|| Ok(x * x))?;
        let z = cs.new_witness_variable(|| Ok(x * x * x))?;
        cs.enforce_r1cs_constraint(|| lc!() + x_var, || lc!() + x_var, || lc!() + y)?;
        cs.enforce_r1cs_constraint(|| lc!() + y, || lc!() + x_var, || lc!() + z)?;
        cs.enforce_r1cs_constraint(
            || lc!() + z + x_var,
            || lc!() + Variable::One,
            || lc!() + out,
        )?;
        Ok(())
    }
}

/// Regenerates `fuzz/reference/tiny_relu/` (the key, proof and statement the
/// backend fuzz targets check against) and the binary seeds of
/// `fuzz/corpus/`, after a format change:
/// `cargo test --test tamper -- --ignored fuzz_reference`.
#[test]
#[ignore = "writes files under fuzz/; run by hand after a format change"]
fn fuzz_reference_and_seeds() {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let write = |path: &str, bytes: &[u8]| {
        let path = fuzz.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    };
    let a = prove("tiny_relu", Visibility::default(), 5, 11);
    let vk = Vk::from_bytes(&a.vk).unwrap();
    let proof = Proof::from_bytes(&a.proof).unwrap();
    assert!(Pipeline::<Groth16Bn254>::verify(&vk, &a.public, &proof).unwrap());
    write("reference/tiny_relu/vk.bin", &a.vk);
    write("reference/tiny_relu/proof.bin", &a.proof);
    write(
        "reference/tiny_relu/public.json",
        a.public.to_json().as_bytes(),
    );
    write("corpus/groth16_vk/seed_tiny_relu", &a.vk);
    write("corpus/groth16_proof/seed_tiny_relu", &a.proof);
    write(
        "corpus/public_json/seed_tiny_relu.json",
        a.public.to_json().as_bytes(),
    );
    let hashed = prove("tiny_relu", hashed_everything(), 5, 12);
    write("corpus/groth16_vk/seed_tiny_relu_hashed", &hashed.vk);
    write(
        "corpus/public_json/seed_tiny_relu_hashed.json",
        hashed.public.to_json().as_bytes(),
    );

    let mut rng = StdRng::seed_from_u64(13);
    let (pk, tiny_vk) = Groth16Bn254::setup(TinyCircuit, &mut rng).unwrap();
    let (tiny_proof, tiny_public) = Groth16Bn254::prove(&pk, TinyCircuit, &mut rng).unwrap();
    assert!(Groth16Bn254::verify(&tiny_vk, &tiny_public, &tiny_proof).unwrap());
    write("corpus/groth16_pk/seed_tiny_circuit", &pk.to_bytes());
    write(
        "corpus/groth16_pk_local/seed_tiny_circuit",
        &pk.to_local_bytes(),
    );
    write("corpus/groth16_vk/seed_tiny_circuit", &tiny_vk.to_bytes());
    write(
        "corpus/groth16_proof/seed_tiny_circuit",
        &tiny_proof.to_bytes(),
    );

    type Mock = zkinfer::backend::MockBackend<Fr>;
    let (mock_pk, mock_vk) = Mock::setup(TinyCircuit, &mut rng).unwrap();
    let (mock_proof, _) = Mock::prove(&mock_pk, TinyCircuit, &mut rng).unwrap();
    // The first byte selects the artifact (`% 3`): proof, proving key, verifying key.
    write(
        "corpus/mock_artifacts/seed_proof",
        &[&[0u8][..], &mock_proof.to_bytes()].concat(),
    );
    write(
        "corpus/mock_artifacts/seed_pk",
        &[&[1u8][..], &mock_pk.to_bytes()].concat(),
    );
    write(
        "corpus/mock_artifacts/seed_vk",
        &[&[2u8][..], &mock_vk.to_bytes()].concat(),
    );
}
