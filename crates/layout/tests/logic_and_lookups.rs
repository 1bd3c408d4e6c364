//! Comparisons, logic, `Where`, boolean inputs and private-index lookups (tree
//! ensembles) on EZKL example models: predicted sizes equal the synthesized
//! ones exactly under several visibilities, the public outputs are the
//! quantized trace's, and tampering with a gadget's inputs or output is
//! rejected. Skipped when the shared corpus is absent.

mod common;

use common::*;
use zkinfer_layout::{
    GadgetChoice, InputVisibility, OutputVisibility, Visibility, WeightVisibility,
};
use zkinfer_quant::QuantizedModel;

const MODELS: [(&str, GadgetChoice); 9] = [
    ("1l_where", GadgetChoice::Compare),
    ("less", GadgetChoice::Compare),
    ("boolean", GadgetChoice::Logic),
    ("bitwise_ops", GadgetChoice::Boolean),
    ("linear_svc", GadgetChoice::Lookup),
    ("hummingbird_decision_tree", GadgetChoice::Lookup),
    ("oh_decision_tree", GadgetChoice::Lookup),
    ("xgboost_reg", GadgetChoice::Lookup),
    ("lightgbm", GadgetChoice::Lookup),
];

#[test]
fn logic_models_prove_with_exact_predictions() {
    let Some(corpus) = corpus_dir() else {
        println!("skipped: the shared corpus is absent");
        return;
    };
    let mut report = String::new();
    for (name, gadget) in MODELS {
        let (model, trace) = corpus_model(&corpus.join(name));
        // Hashed outputs are left out: several outputs sharing a lookup's
        // one-hot variables make the commitment's non-zero count approximate.
        for (input, output) in [
            (InputVisibility::Private, OutputVisibility::Public),
            (InputVisibility::Public, OutputVisibility::Private),
            (InputVisibility::Hashed, OutputVisibility::Public),
        ] {
            let visibility = Visibility {
                input,
                weights: WeightVisibility::Fixed,
                output,
            };
            report.push_str(&assert_exact_prediction(
                name, &model, &trace, visibility, &gadget,
            ));
        }
    }
    println!("{report}");
}

/// Whether every changed value of `tensor` changes some witness: it is a
/// claimed output, or a gadget decomposes it (a comparison, a lookup index, an
/// argmax...). A product-style consumer (And, Where, Mul) with a zero co-factor
/// computes the same witness from a changed hint, which is harmless.
fn decisive(
    model: &QuantizedModel,
    plan: &zkinfer_layout::Plan,
    tensor: zkinfer_quant::QTensorId,
) -> bool {
    model.outputs().contains(&tensor)
        || model.nodes().iter().zip(&plan.nodes).any(|(n, p)| {
            n.inputs.contains(&tensor)
                && !matches!(
                    p.gadget,
                    GadgetChoice::Linear
                        | GadgetChoice::Fused
                        | GadgetChoice::Logic
                        | GadgetChoice::Select
                        | GadgetChoice::Mul
                )
        })
}

#[test]
fn tampered_comparisons_logic_and_lookups_are_rejected() {
    let Some(corpus) = corpus_dir() else {
        println!("skipped: the shared corpus is absent");
        return;
    };
    for (name, _) in MODELS {
        let (model, trace) = corpus_model(&corpus.join(name));
        let plan = plan_for(
            &model,
            Visibility {
                input: InputVisibility::Private,
                weights: WeightVisibility::Fixed,
                output: OutputVisibility::Public,
            },
        );
        let mut tampered = 0;
        // The outputs of the comparison, logic, select and lookup gadgets that
        // another gadget (or the public output) reads: a changed value must break
        // the proof. (Pass-through values, e.g. a boolean input's, are not
        // witnesses of their own: changing one only changes a hint.)
        let ours = [
            GadgetChoice::Compare,
            GadgetChoice::Logic,
            GadgetChoice::Select,
            GadgetChoice::Lookup,
        ];
        let targets = plan
            .nodes
            .iter()
            .filter(|p| ours.contains(&p.gadget))
            .map(|p| model.nodes()[p.index].output)
            .filter(|&t| read_by_gadget(&model, &plan, t) && decisive(&model, &plan, t))
            .chain(model.outputs().iter().copied());
        for tensor in targets {
            for delta in [1, -1] {
                let mut values = trace.values().to_vec();
                values[tensor.0].as_slice_mut().expect("standard layout")[0] += delta;
                assert!(
                    mock_prove_values(&model, &plan, &values).is_err(),
                    "{name}: {tensor} ({}) {delta:+} accepted",
                    model.tensor(tensor).name
                );
                tampered += 1;
            }
        }
        assert!(tampered > 0, "{name}: nothing tampered");
        assert!(
            mock_prove_values(&model, &plan, trace.values()).is_ok(),
            "{name}: honest values rejected"
        );
    }
}
