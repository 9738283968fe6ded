// ES-module stand-in for graphology-utils/is-graph (a CommonJS file that a
// browser cannot import): whether value looks like a graphology Graph.
export default function isGraph(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof value.addUndirectedEdgeWithKey === 'function' &&
    typeof value.dropNode === 'function' &&
    typeof value.multi === 'boolean'
  );
}
