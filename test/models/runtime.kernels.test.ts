/**
 * The two JS gradient kernels registered for the wasm backend must compute what the cpu
 * backend's reference kernels compute.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, initBackend, tf, WASM_GRADIENT_KERNELS } from '../../models/src/runtime/index.js';
import { WASM_REPLACED_KERNELS } from '../../models/src/runtime/wasmKernels.js';

const TOLERANCE = 5e-5;

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.gaussian());
}

/** Runs `fn` on a backend and returns its result's values. */
async function on(backend: 'cpu' | 'wasm', fn: () => tf.Tensor): Promise<Float32Array> {
  expect(await tf.setBackend(backend)).toBe(true);
  return tf.tidy(() => fn().dataSync() as Float32Array).slice();
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

describe('wasm gradient kernels', () => {
  it('are registered for wasm and exist for cpu', () => {
    for (const name of [...WASM_GRADIENT_KERNELS, ...WASM_REPLACED_KERNELS]) {
      expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
      expect(tf.getKernel(name, 'cpu'), name).toBeDefined();
    }
  });

  const convCases: Array<{
    name: string; x: [number, number, number, number]; filter: [number, number, number, number];
    strides: [number, number]; pad: 'same' | 'valid'; format: 'NHWC' | 'NCHW';
  }> = [
    { name: 'conv1d-like, same', x: [4, 1, 64, 19], filter: [1, 5, 19, 32], strides: [1, 1], pad: 'same', format: 'NHWC' },
    { name: 'conv1d-like, stride 2, valid', x: [3, 1, 33, 8], filter: [1, 3, 8, 6], strides: [1, 2], pad: 'valid', format: 'NHWC' },
    { name: '2-D, same, mixed strides', x: [2, 7, 9, 3], filter: [3, 2, 3, 5], strides: [2, 1], pad: 'same', format: 'NHWC' },
    { name: '2-D, channels first', x: [2, 3, 6, 5], filter: [2, 3, 3, 4], strides: [1, 1], pad: 'valid', format: 'NCHW' },
  ];

  /** dy's shape for a case, from the forward pass on cpu (it depends on the layout). */
  async function dyShapeOf(c: (typeof convCases)[number], xData: Float32Array): Promise<number[]> {
    await tf.setBackend('cpu');
    return tf.tidy(() => {
      const x = c.format === 'NHWC' ? tf.tensor4d(xData, c.x) : tf.tensor4d(xData, c.x).transpose([0, 2, 3, 1]);
      const y = tf.conv2d(x as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad);
      const s = y.shape;
      return c.format === 'NHWC' ? s : [s[0], s[3], s[1], s[2]];
    });
  }

  for (const c of convCases) {
    it(`Conv2DBackpropFilter matches cpu: ${c.name}`, async () => {
      const xData = randomArray(c.x.reduce((a, b) => a * b), 1);
      const dyShape = await dyShapeOf(c, xData);
      const dyData = randomArray(dyShape.reduce((a, b) => a * b), 2);
      const run = (): tf.Tensor => tf.engine().runKernel('Conv2DBackpropFilter',
        { x: tf.tensor4d(xData, c.x), dy: tf.tensor(dyData, dyShape) },
        { strides: c.strides, pad: c.pad, dataFormat: c.format, filterShape: c.filter },
      ) as tf.Tensor;
      const ref = await on('cpu', run);
      const got = await on('wasm', run);
      expect(maxAbsDiff(ref, got)).toBeLessThan(TOLERANCE * Math.max(1, ...Array.from(ref, Math.abs)));
    });

    it(`Conv2DBackpropInput (replaced) matches cpu: ${c.name}`, async () => {
      const xData = randomArray(c.x.reduce((a, b) => a * b), 3);
      const dyShape = await dyShapeOf(c, xData);
      const dyData = randomArray(dyShape.reduce((a, b) => a * b), 4);
      const wData = randomArray(c.filter.reduce((a, b) => a * b), 5);
      const run = (): tf.Tensor => tf.engine().runKernel('Conv2DBackpropInput',
        { dy: tf.tensor(dyData, dyShape), filter: tf.tensor4d(wData, c.filter) },
        { strides: c.strides, pad: c.pad, dataFormat: c.format, inputShape: c.x },
      ) as tf.Tensor;
      const ref = await on('cpu', run);
      const got = await on('wasm', run);
      expect(maxAbsDiff(ref, got)).toBeLessThan(TOLERANCE * Math.max(1, ...Array.from(ref, Math.abs)));
    });
  }

  it('Conv1D weight and input gradients through tf.grads match cpu', async () => {
    const xData = randomArray(8 * 64 * 19, 3);
    const wData = randomArray(5 * 19 * 16, 4);
    const grads = (i: 0 | 1) => (): tf.Tensor => {
      const g = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, 'same').relu().square().sum());
      return g([tf.tensor3d(xData, [8, 64, 19]), tf.tensor3d(wData, [5, 19, 16]).mul(0.1)])[i]!;
    };
    for (const i of [0, 1] as const) {
      const ref = await on('cpu', grads(i));
      const got = await on('wasm', grads(i));
      const scale = Math.max(1, ...Array.from(ref, Math.abs));
      expect(scale).toBeGreaterThan(1); // magnitudes large enough for the check to mean something
      expect(maxAbsDiff(ref, got)).toBeLessThan(TOLERANCE * scale);
    }
  });

  it('UnsortedSegmentSum matches cpu (rank-1 and rank-2 ids, dropped out-of-range ids)', async () => {
    const xData = randomArray(3 * 4 * 5, 5);
    const ids1 = [2, 0, 2];
    const ids2 = [0, 3, 3, 1, 2, 2, -1, 0, 3, 1, 1, 0];
    const run1 = (): tf.Tensor => tf.unsortedSegmentSum(tf.tensor3d(xData, [3, 4, 5]), tf.tensor1d(ids1, 'int32'), 4);
    expect(maxAbsDiff(await on('cpu', run1), await on('wasm', run1))).toBeLessThan(TOLERANCE);
    // The cpu kernel mishandles rank-2 ids (a broadcasting bug in tfjs 4.22), so its
    // reference here is the same sum over flattened ids.
    const flat = (): tf.Tensor => tf.unsortedSegmentSum(tf.tensor2d(xData, [12, 5]), tf.tensor1d(ids2, 'int32'), 4);
    const run2 = (): tf.Tensor => tf.unsortedSegmentSum(tf.tensor3d(xData, [3, 4, 5]), tf.tensor2d(ids2, [3, 4], 'int32') as unknown as tf.Tensor1D, 4);
    expect(maxAbsDiff(await on('cpu', flat), await on('wasm', run2))).toBeLessThan(TOLERANCE);
  });

  it('an embedding (gather) gradient matches cpu', async () => {
    const table = randomArray(50 * 8, 6);
    const idx = [3, 7, 3, 49, 0, 7, 7, 12];
    const grad = (): tf.Tensor => {
      const g = tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor1d(idx, 'int32')).tanh().sum());
      return g(tf.tensor2d(table, [50, 8]));
    };
    expect(maxAbsDiff(await on('cpu', grad), await on('wasm', grad))).toBeLessThan(TOLERANCE);
  });
});
