import type { FilterRecord, FilterResult, KeywordRow, FilterStatusRow } from '../../../domain/filters/filters.ts';
import { toBool } from '../../../storage/db/db-errors.ts';
import type { Filter, FilterKeyword, FilterResult as FilterResultEntity, FilterStatus, V1Filter } from '../entities.ts';

/** Mastodon's FilterKeyword entity. */
export function serializeKeyword(keyword: KeywordRow): FilterKeyword {
  return { id: keyword.id, keyword: keyword.keyword, whole_word: toBool(keyword.whole_word) };
}

/** Mastodon's FilterStatus entity. */
export function serializeFilterStatus(entry: FilterStatusRow): FilterStatus {
  return { id: entry.id, status_id: entry.status_id };
}

/** Mastodon's Filter entity (v2); `rulesOnly` leaves out the keywords and posts, as inside a FilterResult. */
export function serializeFilter(record: FilterRecord, options: { rulesOnly?: boolean } = {}): Filter {
  const { filter } = record;
  return {
    id: filter.id,
    title: filter.title,
    context: [...record.contexts],
    expires_at: filter.expires_at === null ? null : new Date(filter.expires_at).toISOString(),
    filter_action: filter.action,
    ...(options.rulesOnly ? {} : { keywords: record.keywords.map(serializeKeyword), statuses: record.statuses.map(serializeFilterStatus) }),
  };
}

/** Mastodon's FilterResult entity: which filter matched a status, and by what. */
export function serializeFilterResult(result: FilterResult): FilterResultEntity {
  return {
    filter: serializeFilter(result.record, { rulesOnly: true }),
    keyword_matches: result.keywordMatches && [...result.keywordMatches],
    status_matches: result.statusMatches && [...result.statusMatches],
  };
}

/**
 * The v1 Filter entity (for old apps): one keyword of a v2 filter, with its filter's contexts and expiry;
 * `irreversible` is a filter that hides.
 */
export function serializeV1Filter(record: FilterRecord, keyword: KeywordRow): V1Filter {
  return {
    id: keyword.id,
    phrase: keyword.keyword,
    context: [...record.contexts],
    whole_word: toBool(keyword.whole_word),
    expires_at: record.filter.expires_at === null ? null : new Date(record.filter.expires_at).toISOString(),
    irreversible: record.filter.action === 'hide',
  };
}
