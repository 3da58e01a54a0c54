import type {
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/** Called when a watched table may have changed: as the write is sent, and again when its transaction ends. */
export type WriteListener = () => void;

interface Watcher {
  readonly tables: ReadonlySet<string>;
  readonly listener: WriteListener;
  writes: number;
}

/**
 * Tells in-process caches that rows they keep may have changed, whatever code path wrote them: a Kysely
 * plugin sees every query this process sends (raw SQL included) and names the tables it writes.
 * Writes made by another process are not seen; a cache that relies on this must be one process's alone.
 */
export class WriteWatch implements KyselyPlugin {
  readonly #watchers = new Set<Watcher>();

  /** Calls `listener` on every write to one of `tables`; returns the function that stops it. */
  watch(tables: readonly string[], listener: WriteListener): () => void {
    const watcher: Watcher = { tables: new Set(tables), listener, writes: 0 };
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /**
   * Runs a transaction and calls again, when it has ended, the listeners its writes called: a reader that
   * filled a cache between the write and the commit read the old rows.
   */
  async around<T>(run: () => Promise<T>): Promise<T> {
    if (this.#watchers.size === 0) return run();
    const before = new Map([...this.#watchers].map((w) => [w, w.writes]));
    try {
      return await run();
    } finally {
      for (const [watcher, writes] of before) if (watcher.writes !== writes) watcher.listener();
    }
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.#watchers.size > 0) {
      const written = writtenTables(args.node);
      if (written.length) {
        for (const watcher of this.#watchers) {
          if (written.some((t) => watcher.tables.has(t))) {
            watcher.writes++;
            watcher.listener();
          }
        }
      }
    }
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

const RAW_WRITE = /\b(?:update|delete\s+from|insert\s+(?:or\s+\w+\s+)?into|replace\s+into)\s+"?(\w+)/gi;

/** The tables a query writes (lower case): the target of an update, delete or upsert, or of raw SQL. */
export function writtenTables(node: OperationNode): string[] {
  const tables: string[] = [];
  const visit = (n: OperationNode | undefined): void => {
    if (!n) return;
    switch (n.kind) {
      case 'UpdateQueryNode': {
        const u = n as OperationNode & { table?: OperationNode; with?: OperationNode };
        tableName(u.table, tables);
        visit(u.with);
        break;
      }
      case 'DeleteQueryNode': {
        const d = n as OperationNode & { from: { froms: readonly OperationNode[] }; with?: OperationNode };
        for (const from of d.from.froms) tableName(from, tables);
        visit(d.with);
        break;
      }
      case 'InsertQueryNode': {
        const i = n as OperationNode & { into?: OperationNode; onConflict?: unknown; replace?: boolean; with?: OperationNode };
        // A plain insert changes no existing row; an upsert or replace may.
        if (i.onConflict || i.replace) tableName(i.into, tables);
        visit(i.with);
        break;
      }
      case 'WithNode':
        for (const cte of (n as OperationNode & { expressions: readonly (OperationNode & { expression: OperationNode })[] }).expressions)
          visit(cte.expression);
        break;
      case 'SelectQueryNode':
        visit((n as OperationNode & { with?: OperationNode }).with);
        break;
      case 'RawNode':
        for (const match of rawText(n).matchAll(RAW_WRITE)) tables.push(match[1]!.toLowerCase());
        break;
    }
  };
  visit(node);
  return tables;
}

/** The text of raw SQL, with the raw pieces it was built from (`sql.raw`, nested `sql`) in their places. */
function rawText(node: OperationNode): string {
  const raw = node as OperationNode & { sqlFragments: readonly string[]; parameters: readonly OperationNode[] };
  return raw.sqlFragments
    .map((fragment, i) => {
      const parameter = raw.parameters[i];
      return fragment + (parameter === undefined ? '' : parameter.kind === 'RawNode' ? rawText(parameter) : ' ? ');
    })
    .join('');
}

function tableName(node: OperationNode | undefined, into: string[]): void {
  if (!node) return;
  if (node.kind === 'AliasNode') return tableName((node as OperationNode & { node: OperationNode }).node, into);
  if (node.kind === 'TableNode')
    into.push((node as OperationNode & { table: { identifier: { name: string } } }).table.identifier.name.toLowerCase());
}
