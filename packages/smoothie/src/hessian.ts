/**
 * Exact action-gradient and diagonal action-Hessian of an MLP critic Q(s, a) = MLP(concat(s, a)),
 * by second-order forward (Taylor-mode) propagation along each action axis e_i (Algorithm 1 needs the exact Hessian):
 *
 *   dense:      z = hW + b          dz = dh W            d²z = d²h W
 *   activation: h = σ(z)            dh = σ'(z) dz        d²h = σ'(z) d²z + σ''(z) dz²
 *
 * starting from dx = e_i, d²x = 0 at the input, so at the scalar output dz = ∂Q/∂a_i and
 * d²z = ∂²Q/∂a_i². All d_a directions and the whole batch go through one matMul per layer
 * (rows ordered [direction, batch]), so the cost is that of 2·d_a extra forward passes, all on
 * tfjs's fast untransposed matMul path. Call inside tf.tidy. Nothing here is differentiated.
 */
import { type Activation, type Linear, type MLP, QscapeError, tf, tileOverItems } from "@qscape/core";

export interface ActionDerivatives {
  /** Q(s, a), [B, 1]. */
  value: tf.Tensor2D;
  /** ∇ₐQ, [B, d_a]. */
  grad: tf.Tensor2D;
  /** diag ∇²ₐQ, [B, d_a]. */
  hessianDiagonal: tf.Tensor2D;
}

/** σ(z), σ'(z), σ''(z) for the smooth activations the critic may use. */
function activationWithDerivatives(z: tf.Tensor2D, act: Activation): [tf.Tensor2D, tf.Tensor, tf.Tensor] {
  switch (act) {
    case "tanh": {
      const h = tf.tanh(z);
      const d1 = tf.sub(1, tf.square(h));
      return [h, d1, tf.mul(tf.mul(h, d1), -2)];
    }
    case "sigmoid": {
      const h = tf.sigmoid(z);
      const d1 = tf.mul(h, tf.sub(1, h));
      return [h, d1, tf.mul(d1, tf.sub(1, tf.mul(h, 2)))];
    }
    case "softplus": {
      const s = tf.sigmoid(z);
      return [tf.softplus(z), s, tf.mul(s, tf.sub(1, s))];
    }
    case "elu": {
      // α = 1: z > 0 → (z, 1, 0); z ≤ 0 → (e^z − 1, e^z, e^z).
      const positive = tf.cast(tf.greater(z, 0), "float32");
      const e = tf.exp(tf.minimum(z, 0));
      const d2 = tf.mul(e, tf.sub(1, positive));
      return [tf.elu(z), tf.add(positive, d2), d2];
    }
    case "identity":
      return [z, tf.onesLike(z), tf.zerosLike(z)];
    default:
      throw new QscapeError(
        `actionDerivatives: activation "${act}" has no usable second derivative; use tanh, softplus, elu or sigmoid`,
      );
  }
}

/**
 * Q, ∇ₐQ and diag ∇²ₐQ at (obs, action) for a critic MLP without LayerNorm whose input is
 * concat(obs, action).
 */
export function actionDerivatives(critic: MLP, obs: tf.Tensor2D, action: tf.Tensor2D): ActionDerivatives {
  const [batch, obsDim] = obs.shape;
  const actionDim = action.shape[1];
  if (critic.norms.length > 0) throw new QscapeError("actionDerivatives: critics with LayerNorm are not supported");
  if (critic.inputSize !== obsDim + actionDim) {
    throw new QscapeError(
      `actionDerivatives: the critic takes ${critic.inputSize} inputs, but obs + action have ${obsDim} + ${actionDim}`,
    );
  }
  const layers = critic.layers;
  const first = layers[0] as Linear;
  let z = tf.add(tf.matMul(tf.concat([obs, action], 1), first.weight), first.bias) as tf.Tensor2D;
  // Along e_i the first layer's derivative is row obsDim + i of its weight, the same for every state.
  const firstRows = tf.slice(first.weight, [obsDim, 0], [actionDim, first.outFeatures]);
  let dz = tileOverItems(firstRows, batch) as tf.Tensor3D;
  let d2z: tf.Tensor3D | null = null; // identically 0 until the first nonlinearity
  for (let l = 1; l < layers.length; l++) {
    const [h, s1, s2] = activationWithDerivatives(z, critic.activation);
    const dh = tf.mul(dz, s1) as tf.Tensor3D;
    const curvature = tf.mul(tf.square(dz), s2);
    const d2h = (d2z === null ? curvature : tf.add(tf.mul(d2z, s1), curvature)) as tf.Tensor3D;
    const layer = layers[l] as Linear;
    const width = layer.outFeatures;
    const rows = actionDim * batch;
    z = tf.add(tf.matMul(h, layer.weight), layer.bias) as tf.Tensor2D;
    dz = tf.reshape(tf.matMul(tf.reshape(dh, [rows, layer.inFeatures]), layer.weight), [actionDim, batch, width]);
    d2z = tf.reshape(tf.matMul(tf.reshape(d2h, [rows, layer.inFeatures]), layer.weight), [actionDim, batch, width]);
  }
  const [value, s1, s2] = activationWithDerivatives(z, critic.outputActivation);
  const grad = tf.mul(dz, s1);
  const hess = tf.add(tf.mul(d2z ?? tf.zerosLike(dz), s1), tf.mul(tf.square(dz), s2));
  // [d_a, B, 1] → [B, d_a]
  const toBatchMajor = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [actionDim, batch])) as tf.Tensor2D;
  return { value, grad: toBatchMajor(grad), hessianDiagonal: toBatchMajor(hess) };
}
