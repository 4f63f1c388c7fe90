/** Room preference fields ([hist] 4.1, spec 1.9 `pref`); others sent are ignored. */
export const ROOM_PREF_FIELDS: ReadonlySet<string> = new Set([
  'tags',
  'tagColors',
  'hidden',
  'sticky',
  'muted',
  'folder',
  'translation',
]);

/**
 * A member's view of their room preference ([hist] 4.4): the preferences of their groups, in the
 * order of the groups' ids, under their own; personal fields win. Null when there is none at all.
 */
export function mergedPref(
  groups: ReadonlyArray<{ owner: string; pref: Record<string, unknown> }>,
  own: Record<string, unknown> | null,
): Record<string, unknown> | null {
  if (groups.length === 0) return own;
  const ordered = [...groups].sort((a, b) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
  // Later entries win; fromEntries and spread (unlike Object.assign) keep a stored "__proto__" a plain field.
  const shared = Object.fromEntries(ordered.flatMap((group) => Object.entries(group.pref)));
  return { ...shared, ...own };
}
