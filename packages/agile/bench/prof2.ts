import { GraphAttentionBlock, initBackend, MLP, Rng, tf } from "@qscape/core";

await initBackend();
const rng = new Rng(0);
const block = new GraphAttentionBlock(rng, 75, { hidden: 64 });
const mlp = new MLP(rng, 75, 64, { hidden: [64] });
for (const B of [16, 512]) {
  const x = tf.randomNormal([B, 7, 75]) as tf.Tensor3D;
  const mask = tf.ones([B, 7]) as tf.Tensor2D;
  const time = (name: string, f: () => tf.Tensor) => {
    for (let i = 0; i < 3; i++) tf.tidy(() => f().dataSync());
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) tf.tidy(() => f().dataSync());
    console.log(B, name, ((performance.now() - t0) / 10).toFixed(2), "ms");
  };
  time("gat fwd", () => block.apply(x, { available: mask }));
  time("gat fwd nomask", () => block.apply(x));
  time("mlp fwd", () => mlp.apply(tf.reshape(x, [B * 7, 75])));
  time("gat grad", () => {
    const { value } = tf.variableGrads(
      () => tf.sum(block.apply(x, { available: mask })) as tf.Scalar,
      block.parameters(),
    );
    return value;
  });
  const l = block.layers[0]!;
  time("layer fwd", () => l.apply(x, { available: mask }));
  const w = tf.randomNormal([B, 7, 7]) as tf.Tensor3D;
  const z = tf.randomNormal([B, 7, 64]) as tf.Tensor3D;
  time("bmm", () => tf.matMul(w, z));
  time("bcast", () => tf.sum(tf.mul(tf.expandDims(w, 3), tf.expandDims(z, 1)), 2));
}
