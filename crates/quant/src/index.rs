//! Flat-index arithmetic on row-major shapes: broadcasting and grouping.
//!
//! The quantized ops address elements by flat index; these helpers compute
//! those indices once, at quantization time.

/// Row-major strides of a shape.
pub fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// The multi-index of flat position `flat` in `shape`.
pub fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for axis in (0..shape.len()).rev() {
        let d = shape[axis].max(1);
        idx[axis] = flat % d;
        flat /= d;
    }
    idx
}

/// For every element of `out_shape` (row-major), the flat index of the element of
/// an `in_shape` tensor that NumPy broadcasting reads. `None` when `in_shape`
/// does not broadcast to `out_shape`.
pub fn broadcast_map(in_shape: &[usize], out_shape: &[usize]) -> Option<Vec<usize>> {
    if in_shape.len() > out_shape.len() {
        return None;
    }
    let offset = out_shape.len() - in_shape.len();
    let in_strides = strides(in_shape);
    // Stride of each output axis in the input (0 where broadcast).
    let mut eff = vec![0; out_shape.len()];
    for (i, &d) in in_shape.iter().enumerate() {
        let o = out_shape[offset + i];
        if d == o {
            eff[offset + i] = in_strides[i];
        } else if d != 1 {
            return None;
        }
    }
    let len: usize = out_shape.iter().product();
    let mut out = Vec::with_capacity(len);
    let mut idx = vec![0usize; out_shape.len()];
    let mut flat_in = 0usize;
    for _ in 0..len {
        out.push(flat_in);
        // Increment the multi-index, keeping flat_in in step.
        for axis in (0..out_shape.len()).rev() {
            idx[axis] += 1;
            flat_in += eff[axis];
            if idx[axis] < out_shape[axis] {
                break;
            }
            flat_in -= eff[axis] * idx[axis];
            idx[axis] = 0;
        }
    }
    Some(out)
}

/// Groups of flat indices of a `shape` tensor that collapse into one output when
/// the axes flagged in `reduced` are reduced. Groups come in row-major order of
/// the kept axes; inside a group, indices are in row-major order (so along a
/// single reduced axis they are in increasing coordinate order).
pub fn reduce_groups(shape: &[usize], reduced: &[bool]) -> Vec<Vec<usize>> {
    let kept_shape: Vec<usize> = shape
        .iter()
        .zip(reduced)
        .map(|(&d, &r)| if r { 1 } else { d })
        .collect();
    let kept_strides = strides(&kept_shape);
    let groups: usize = kept_shape.iter().product();
    let mut out = vec![Vec::new(); groups];
    let len: usize = shape.iter().product();
    for flat in 0..len {
        let idx = unravel(flat, shape);
        let g: usize = idx
            .iter()
            .zip(&kept_strides)
            .zip(reduced)
            .map(|((&i, &s), &r)| if r { 0 } else { i * s })
            .sum();
        out[g].push(flat);
    }
    out
}

/// Call `f` with every multi-index of `shape`, row-major.
pub fn for_each_index(shape: &[usize], mut f: impl FnMut(&[usize])) {
    let len: usize = shape.iter().product();
    if len == 0 {
        return;
    }
    let mut idx = vec![0usize; shape.len()];
    for _ in 0..len {
        f(&idx);
        for axis in (0..shape.len()).rev() {
            idx[axis] += 1;
            if idx[axis] < shape[axis] {
                break;
            }
            idx[axis] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting() {
        assert_eq!(
            broadcast_map(&[3], &[2, 3]).unwrap(),
            vec![0, 1, 2, 0, 1, 2]
        );
        assert_eq!(
            broadcast_map(&[2, 1], &[2, 3]).unwrap(),
            vec![0, 0, 0, 1, 1, 1]
        );
        assert_eq!(broadcast_map(&[], &[2]).unwrap(), vec![0, 0]);
        assert!(broadcast_map(&[2], &[3]).is_none());
    }

    #[test]
    fn grouping() {
        assert_eq!(
            reduce_groups(&[2, 3], &[false, true]),
            vec![vec![0, 1, 2], vec![3, 4, 5]]
        );
        assert_eq!(
            reduce_groups(&[2, 3], &[true, false]),
            vec![vec![0, 3], vec![1, 4], vec![2, 5]]
        );
    }
}
