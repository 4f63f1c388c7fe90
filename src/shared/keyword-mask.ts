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
    return this.next[0]!.size === 0;
  }

  mask(text: string): string {
    if (this.empty || text.length === 0) return text;
    let node = 0;
    const covered: Array<[number, number]> = [];
    for (let index = 0; index < text.length; index++) {
      const character = text[index]!;
      while (node !== 0 && !this.next[node]!.has(character)) node = this.fail[node]!;
      node = this.next[node]!.get(character) ?? 0;
      const length = this.output[node]!;
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
      const unit = keyword[index]!;
      let child = this.next[node]!.get(unit);
      if (child === undefined) {
        child = this.next.length;
        this.next.push(new Map());
        this.fail.push(0);
        this.output.push(0);
        this.next[node]!.set(unit, child);
      }
      node = child;
    }
    this.output[node] = Math.max(this.output[node]!, keyword.length);
  }

  /** Breadth-first failure links; each node also reports the longest keyword ending at its suffixes. */
  private link(): void {
    const queue: number[] = [];
    for (const child of this.next[0]!.values()) queue.push(child);
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head]!;
      for (const [character, child] of this.next[node]!) {
        let fallback = this.fail[node]!;
        while (fallback !== 0 && !this.next[fallback]!.has(character)) fallback = this.fail[fallback]!;
        const target = this.next[fallback]!.get(character);
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        this.output[child] = Math.max(this.output[child]!, this.output[this.fail[child]!]!);
        queue.push(child);
      }
    }
  }
}
