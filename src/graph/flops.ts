/** Multiply-add FLOPs (2 per MAC) of the MatMul, Gemm and Conv nodes of a graph: what GFLOP/s counts. */
import type { Graph } from './graph';

export function matmulFlops(g: Graph, from = 0, to = g.nodes.length): number {
  let f = 0;
  for (const n of g.nodes.slice(from, to)) {
    const out = n.outputs[0].shape.reduce((a, b) => a * b, 1);
    if (n.op === 'MatMul') f += 2 * out * n.inputs[0].shape[n.inputs[0].shape.length - 1];
    else if (n.op === 'Gemm') f += 2 * out * n.inputs[0].shape[n.attrs.transA ? 0 : 1];
    else if (n.op === 'Conv') f += 2 * out * n.inputs[1].shape.slice(1).reduce((a, b) => a * b, 1);
  }
  return f;
}
