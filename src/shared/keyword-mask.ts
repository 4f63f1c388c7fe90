/**
 * Masks every occurrence of any keyword with `*` in one pass over the text (Aho-Corasick), so the
 * cost grows with the text, not with the number of keywords (spec 7.8, issue 5: no per-word scan).
 * Case-sensitive, as the spec's keywords are; overlapping matches are all masked.
 */
export class KeywordMask {
  private readonly next: Array<Map<string, number>> = [new Map()];
  private readonly fail: number[] = [0];
  /** Longest keyword ending at each node (0 when none). */
  private readonly output: number[] = [0];

  constructor(keywords: readonly string[]) {
    for (const keyword of keywords) if (keyword.length > 0) this.insert(keyword);
    this.link();
  }

  get empty(): boolean {
    return this.edges(0).size === 0;
  }

  mask(text: string): string {
    if (this.empty || text.length === 0) return text;
    let node = 0;
    const covered: Array<[number, number]> = [];
    for (let index = 0; index < text.length; index++) {
      const character = text.charAt(index);
      while (node !== 0 && !this.edges(node).has(character)) node = this.failure(node);
      node = this.edges(node).get(character) ?? 0;
      const length = this.longest(node);
      if (length > 0) covered.push([index - length + 1, index + 1]);
    }
    if (covered.length === 0) return text;
    const characters = text.split('');
    for (const [start, end] of covered) for (let index = start; index < end; index++) characters[index] = '*';
    return characters.join('');
  }

  private insert(keyword: string): void {
    let node = 0;
    for (let index = 0; index < keyword.length; index++) {
      const unit = keyword.charAt(index);
      const edges = this.edges(node);
      let child = edges.get(unit);
      if (child === undefined) {
        child = this.next.length;
        this.next.push(new Map());
        this.fail.push(0);
        this.output.push(0);
        edges.set(unit, child);
      }
      node = child;
    }
    this.output[node] = Math.max(this.longest(node), keyword.length);
  }

  /** Breadth-first failure links; each node also reports the longest keyword ending at its suffixes. */
  private link(): void {
    const queue: number[] = [];
    for (const child of this.edges(0).values()) queue.push(child);
    // The queue grows while it is read: an array's for…of visits the nodes pushed meanwhile too.
    for (const node of queue) {
      for (const [character, child] of this.edges(node)) {
        let fallback = this.failure(node);
        while (fallback !== 0 && !this.edges(fallback).has(character)) fallback = this.failure(fallback);
        const target = this.edges(fallback).get(character);
        const failTo = target !== undefined && target !== child ? target : 0;
        this.fail[child] = failTo;
        this.output[child] = Math.max(this.longest(child), this.longest(failTo));
        queue.push(child);
      }
    }
  }

  // Node ids only ever come from the trie itself (0, or a value of `next`), so every node has its
  // three entries; a missing one is a bug in this class, never a property of the input.

  private edges(node: number): Map<string, number> {
    const edges = this.next[node];
    if (edges === undefined) throw new Error(`KeywordMask: no trie node ${node}`);
    return edges;
  }

  private failure(node: number): number {
    return entryOf(this.fail, node);
  }

  private longest(node: number): number {
    return entryOf(this.output, node);
  }
}

function entryOf(values: readonly number[], node: number): number {
  const value = values[node];
  if (value === undefined) throw new Error(`KeywordMask: no trie node ${node}`);
  return value;
}
