//! The rounded ops (division by a private value, square root,
//! floor/ceil/round) on the EZKL example models that need them: predicted
//! sizes equal the synthesized ones exactly (constraints, witnesses, public
//! inputs and non-zeros, under fixed, private and hashed weights), the public
//! outputs are the quantized trace's bit for bit, and tampering with a rounded
//! node's output is rejected. Skipped when the shared corpus is absent.

mod common;

use common::*;
use zkinfer_layout::{
    GadgetChoice, InputVisibility, OutputVisibility, Visibility, WeightVisibility,
};

const MODELS: [(&str, GadgetChoice); 9] = [
    ("1l_eltwise_div", GadgetChoice::Rounded),
    ("softsign", GadgetChoice::Rounded),
    ("rsqrt", GadgetChoice::Rounded),
    ("1l_sqrt", GadgetChoice::Rounded),
    ("reducel1", GadgetChoice::MaxSelect),
    ("reducel2", GadgetChoice::Rounded),
    ("rounding_ops", GadgetChoice::Rounded),
    ("remainder", GadgetChoice::Rounded),
    ("layernorm", GadgetChoice::Rounded),
];

#[test]
fn rounded_ops_prove_with_exact_predictions() {
    let Some(corpus) = corpus_dir() else {
        println!("skipped: the shared corpus is absent");
        return;
    };
    let mut report = String::new();
    for (name, gadget) in MODELS {
        let (model, trace) = corpus_model(&corpus.join(name));
        for weights in [
            WeightVisibility::Fixed,
            WeightVisibility::Private,
            WeightVisibility::Hashed,
        ] {
            let visibility = Visibility {
                input: InputVisibility::Private,
                weights,
                output: OutputVisibility::Public,
            };
            report.push_str(&assert_exact_prediction(
                name, &model, &trace, visibility, &gadget,
            ));
        }
    }
    println!("{report}");
}

#[test]
fn tampered_rounded_values_are_rejected() {
    let Some(corpus) = corpus_dir() else {
        println!("skipped: the shared corpus is absent");
        return;
    };
    let mut tampered = 0;
    // reducel1's only gadget is a maximum (|x|), covered by the max tests.
    for (name, gadget) in MODELS
        .into_iter()
        .filter(|(_, g)| *g == GadgetChoice::Rounded)
    {
        let (model, trace) = corpus_model(&corpus.join(name));
        let plan = plan_for(
            &model,
            Visibility {
                input: InputVisibility::Private,
                weights: WeightVisibility::Fixed,
                output: OutputVisibility::Public,
            },
        );
        for p in plan.nodes.iter().filter(|p| p.gadget == gadget) {
            let node = &model.nodes()[p.index];
            // A claimed public output one unit off. Not inputs: rounded ops are
            // many-to-one (⌊√x⌋, ⌊x⌋, n/d), so a private input moved by one can
            // legitimately give the same output (a valid proof about that other
            // input). Not intermediate values either: those are hints the next
            // gadget re-derives its witness from, and a hint that happens to
            // yield the honest witness is rightly accepted. Witness-level
            // soundness is the gadget harness's job (`zkinfer-gadgets`).
            for &tensor in [&node.output]
                .into_iter()
                .filter(|t| model.outputs().contains(t))
            {
                for delta in [1, -1] {
                    let mut values = trace.values().to_vec();
                    values[tensor.0].as_slice_mut().expect("standard layout")[0] += delta;
                    assert!(
                        mock_prove_values(&model, &plan, &values).is_err(),
                        "{name}: `{}` {tensor} {delta:+} accepted\n{plan}",
                        node.name
                    );
                    tampered += 1;
                }
            }
        }
        assert!(
            mock_prove_values(&model, &plan, trace.values()).is_ok(),
            "{name}: honest values rejected"
        );
    }
    assert!(tampered >= 8, "only {tampered} tampered outputs");
}
