import { isMap, isScalar, isSeq, LineCounter, parse, parseDocument, YAMLSeq, type Document } from 'yaml';

/** The sections the rule table edits (the legacy `rules:` list stays in the text). */
export const TABLE_SECTIONS = ['deny', 'require_approval', 'allow'] as const;
export type TableSection = (typeof TABLE_SECTIONS)[number];

/** A rule as the table shows it. */
export interface TableRule {
  section: TableSection;
  index: number;
  capability: string;
  conditions: Record<string, unknown>;
  /** 1-based line of the rule in the text. */
  line: number;
}

export interface RuleTable {
  rules: TableRule[];
  /** Items of the legacy `rules:` list, edited only as text. */
  legacyCount: number;
}

export type RuleTableRead = { ok: true; value: RuleTable } | { ok: false; error: string };

// YAML 1.1, as the engine reads policies (`yes` is a boolean there).
const parseDoc = (text: string, lineCounter?: LineCounter) => parseDocument(text, { version: '1.1', keepSourceTokens: false, ...(lineCounter ? { lineCounter } : {}) });

/** Derives the rule table from the text. The text is the truth: the table is re-read after every edit. */
export function readRuleTable(text: string): RuleTableRead {
  const lc = new LineCounter();
  const doc = parseDoc(text, lc);
  if (doc.errors.length > 0) return { ok: false, error: 'the YAML has errors; fix them in the text to edit rules here' };
  if (doc.contents !== null && !isMap(doc.contents)) return { ok: false, error: 'the policy is not a YAML mapping' };
  const rules: TableRule[] = [];
  for (const section of TABLE_SECTIONS) {
    const seq = doc.get(section, true);
    if (!isSeq(seq)) continue;
    seq.items.forEach((item, index) => {
      const range = (item as { range?: [number, number, number] } | null)?.range;
      const line = range ? lc.linePos(range[0]).line : 0;
      if (isScalar(item)) {
        rules.push({ section, index, capability: String(item.value ?? ''), conditions: {}, line });
      } else if (isMap(item)) {
        const js = item.toJSON() as Record<string, unknown>;
        const { capability, ...conditions } = js;
        rules.push({ section, index, capability: typeof capability === 'string' ? capability : String(capability ?? ''), conditions, line });
      } else {
        rules.push({ section, index, capability: '', conditions: {}, line });
      }
    });
  }
  const legacy = doc.get('rules', true);
  return { ok: true, value: { rules, legacyCount: isSeq(legacy) ? legacy.items.length : 0 } };
}

/** A rule as the form edits it. */
export interface RuleDraft {
  section: TableSection;
  capability: string;
  conditions: Record<string, unknown>;
}

const ruleValue = (r: RuleDraft): unknown => (Object.keys(r.conditions).length === 0 ? r.capability : { capability: r.capability, ...r.conditions });

function edit(text: string, fn: (doc: Document) => void): string {
  const doc = parseDoc(text);
  if (doc.errors.length > 0) throw new Error('cannot edit rules while the YAML has errors');
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  fn(doc);
  // No padding inside flow collections: `["a"]` stays as written rather than becoming `[ "a" ]`.
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function sectionItems(doc: Document, section: TableSection): unknown[] {
  const seq = doc.get(section, true);
  if (isSeq(seq)) return seq.items;
  const created = new YAMLSeq();
  doc.set(section, created);
  return created.items;
}

/** Appends a rule to its section (creating the section when missing). Comments elsewhere survive. */
export function addRule(text: string, rule: RuleDraft): string {
  return edit(text, (doc) => {
    sectionItems(doc, rule.section).push(doc.createNode(ruleValue(rule)));
  });
}

/**
 * Replaces the rule at `section[index]`. In the same section an existing mapping is updated key by
 * key, so comments attached to the rule and its untouched keys stay; a new section moves it to the end.
 */
export function updateRule(text: string, at: { section: TableSection; index: number }, rule: RuleDraft): string {
  if (rule.section !== at.section) return addRule(removeRule(text, at), rule);
  return edit(text, (doc) => {
    const seq = doc.get(at.section, true);
    if (!isSeq(seq) || at.index >= seq.items.length) throw new Error(`no rule \`${at.section}[${at.index}]\``);
    const node = seq.items[at.index];
    const hasConditions = Object.keys(rule.conditions).length > 0;
    if (isMap(node) && hasConditions) {
      node.set('capability', rule.capability);
      for (const pair of [...node.items]) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (key !== 'capability' && !(key in rule.conditions)) node.delete(pair.key);
      }
      for (const [k, v] of Object.entries(rule.conditions)) {
        const cur = node.get(k);
        if (JSON.stringify(cur && typeof cur === 'object' && 'toJSON' in cur ? (cur as { toJSON: () => unknown }).toJSON() : cur) !== JSON.stringify(v)) node.set(k, doc.createNode(v));
      }
    } else if (isScalar(node) && !hasConditions) {
      node.value = rule.capability;
    } else {
      const fresh = doc.createNode(ruleValue(rule));
      if (node && typeof node === 'object' && 'commentBefore' in node) (fresh as { commentBefore?: string | null }).commentBefore = (node as { commentBefore?: string | null }).commentBefore ?? null;
      seq.items[at.index] = fresh;
    }
  });
}

/** Removes the rule at `section[index]`. */
export function removeRule(text: string, at: { section: TableSection; index: number }): string {
  return edit(text, (doc) => {
    const seq = doc.get(at.section, true);
    if (!isSeq(seq) || at.index >= seq.items.length) throw new Error(`no rule \`${at.section}[${at.index}]\``);
    seq.items.splice(at.index, 1);
  });
}

/** Moves a rule up (-1) or down (+1) within its section: order decides which rule wins. */
export function moveRule(text: string, at: { section: TableSection; index: number }, delta: -1 | 1): string {
  return edit(text, (doc) => {
    const seq = doc.get(at.section, true);
    if (!isSeq(seq)) return;
    const to = at.index + delta;
    if (to < 0 || to >= seq.items.length) return;
    const [item] = seq.items.splice(at.index, 1);
    seq.items.splice(to, 0, item);
  });
}

/** Renders a condition value compactly (`1000`, `["rm -rf /", "mkfs"]`). */
export function formatConditionValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Conditions as the form's text: one `key: value` line each, values in YAML flow style. */
export function conditionsToText(conditions: Record<string, unknown>): string {
  return Object.entries(conditions)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`)
    .join('\n');
}

/** Parses the form's conditions text (YAML `key: value` lines) into a mapping. */
export function parseConditionsText(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, value: {} };
  let v: unknown;
  try {
    v = parse(text, { version: '1.1' });
  } catch (e) {
    return { ok: false, error: `conditions are not valid YAML: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, error: 'write conditions as `key: value` lines' };
  if ('capability' in v) return { ok: false, error: 'set the capability in its own field' };
  return { ok: true, value: v as Record<string, unknown> };
}
