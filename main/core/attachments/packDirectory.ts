// Which packs may hold a blob, from the first four bytes of its name: one sorted array over every pack
// of a store, so that looking a name up costs one binary search whatever the number of packs. A bulk
// import writes a pack or two per batch, so a store soon holds hundreds of them, and a binary search in
// each pack's index for every new blob ("already there?") grew with the import (33 µs a file at 20 000
// records, about 200 packs at 100 000). Names are HMAC outputs: a four-byte prefix is nearly always
// unique, and the packs it names are then searched by their own index. 8 bytes a blob.

/** Each pack's names, sorted, 16 bytes each (packs.ts). */
export interface NamedPack { names: Buffer }

const NAME_LEN = 16;

export class PackDirectory<P extends NamedPack> {
  private packs: P[] = [];
  private prefixes = new Uint32Array(0);
  /** For each prefix, the position of its pack in `packs`. */
  private owners = new Uint32Array(0);

  /** Adds a pack's names (merged into the sorted arrays: linear in the names held). */
  add(pack: P): void {
    const ordinal = this.packs.push(pack) - 1;
    const n = pack.names.length / NAME_LEN;
    const mine = new Uint32Array(n);
    for (let i = 0; i < n; i++) mine[i] = pack.names.readUInt32BE(i * NAME_LEN);
    mine.sort(); // a pack's names are sorted already; sorting again costs little and trusts nothing
    const a = this.prefixes;
    const prefixes = new Uint32Array(a.length + n);
    const owners = new Uint32Array(a.length + n);
    let i = 0;
    let j = 0;
    for (let k = 0; k < prefixes.length; k++) {
      if (j >= n || (i < a.length && a[i]! <= mine[j]!)) { prefixes[k] = a[i]!; owners[k] = this.owners[i++]!; }
      else { prefixes[k] = mine[j++]!; owners[k] = ordinal; }
    }
    this.prefixes = prefixes;
    this.owners = owners;
  }

  /** Starts again from these packs (after one was removed). */
  reset(packs: Iterable<P>): void {
    this.packs = [];
    this.prefixes = new Uint32Array(0);
    this.owners = new Uint32Array(0);
    for (const p of packs) this.add(p);
  }

  /** The packs whose names share `name`'s first four bytes (none for a name no pack holds, nearly always). */
  candidates(name: Buffer): P[] {
    const p = name.readUInt32BE(0);
    let lo = 0;
    let hi = this.prefixes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.prefixes[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    const out: P[] = [];
    for (let k = lo; k < this.prefixes.length && this.prefixes[k] === p; k++) {
      const pack = this.packs[this.owners[k]!]!;
      if (!out.includes(pack)) out.push(pack);
    }
    return out;
  }
}
