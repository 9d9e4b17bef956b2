/**
 * The value for `id` in `map`, a bounded cache kept in least-recently-used order (a Map iterates in insertion order,
 * so a hit is moved to the end and the first entry is the one to drop); on a miss, `make()`'s value is stored.
 */
export function lruGet<V>(map: Map<string, V>, id: string, max: number, make: () => V): V {
  let value = map.get(id);
  if (value === undefined) {
    value = make();
    if (map.size >= max) map.delete(map.keys().next().value!);
  } else {
    map.delete(id);
  }
  map.set(id, value);
  return value;
}
