import { z } from 'zod';
import { MEASURES, measure } from '../../../domain/moderation/admin.views.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import { HttpError } from '../../shared/http-error.ts';
import { readInput, stringList } from '../../shared/input.ts';
import { staffOnly, type RouteDef } from '../../shared/route-table.ts';
import { serializeMeasure } from './admin.serializers.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'must be a date (YYYY-MM-DD)');
const MeasuresInput = z
  .object({ keys: stringList(z.string().max(40)).pipe(z.array(z.enum(MEASURES)).max(MEASURES.length * 2)), start_at: day, end_at: day })
  .loose();

/** The longest span one request may measure. */
const MAX_DAYS = 366;

/** `POST /api/v1/admin/measures`: the dashboard's figures (new and active users, interactions, reports) per day. */
export function adminMeasuresRoutes(deps: { read: DbReader }): RouteDef[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/admin/measures',
      access: staffOnly('admin:read'),
      async handler(c) {
        const input = readInput(c, MeasuresInput);
        const from = Date.parse(input.start_at.slice(0, 10));
        const to = Date.parse(input.end_at.slice(0, 10));
        if (!Number.isFinite(from) || !Number.isFinite(to) || to < from)
          throw new HttpError(422, 'Validation failed: end_at must not be before start_at');
        if ((to - from) / 86_400_000 + 1 > MAX_DAYS) throw new HttpError(422, `Validation failed: at most ${MAX_DAYS} days at once`);
        const keys = [...new Set(input.keys)];
        return c.json(
          await Promise.all(keys.map(async (key) => serializeMeasure(await measure(deps.read, key, input.start_at, input.end_at)))),
        );
      },
    },
  ];
}
