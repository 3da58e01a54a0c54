// A post's poll: the choices to vote for, or the results once the member voted or it ended.
import { useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { formatNumber, formatRelative, plural, t } from '../i18n/index.ts';
import { useApp } from '../state.ts';
import type { Poll } from '../types.ts';

export function PollView({ poll: initial, ownPost }: { poll: Poll; ownPost: boolean }) {
  const app = useApp();
  const [poll, setPoll] = useState(initial);
  const [chosen, setChosen] = useState<number[]>([]);
  const [busy, setBusy] = useState(false);
  const results = poll.expired || poll.voted === true || ownPost;
  const total = poll.multiple ? (poll.voters_count ?? poll.votes_count) : poll.votes_count;

  const vote = async (event: Event) => {
    event.preventDefault();
    if (!chosen.length) return;
    setBusy(true);
    try {
      setPoll(await app.api.post<Poll>(`/api/v1/polls/${poll.id}/votes`, { choices: chosen }));
    } catch (error) {
      app.announce(error instanceof ApiError ? error.message : t('error.generic'));
    } finally {
      setBusy(false);
    }
  };
  const toggle = (index: number) =>
    setChosen((current) =>
      poll.multiple ? (current.includes(index) ? current.filter((i) => i !== index) : [...current, index]) : [index],
    );
  const footer = (
    <p class="poll-footer">
      {plural('poll.voters', poll.voters_count ?? poll.votes_count)}
      {' · '}
      {poll.expired || !poll.expires_at ? t('poll.closed') : t('poll.ends', { time: formatRelative(poll.expires_at) })}
    </p>
  );

  if (results)
    return (
      <div class="poll" role="group" aria-label={t('poll.label')}>
        <ul class="poll-results">
          {poll.options.map((option, index) => {
            const share = option.votes_count !== null && total ? Math.round((option.votes_count / total) * 100) : null;
            const own = poll.own_votes?.includes(index) ?? false;
            return (
              <li key={index} class={own ? 'own' : undefined}>
                <span class="poll-bar" style={{ width: `${share ?? 0}%` }} aria-hidden="true" />
                <span class="poll-share">{share !== null ? `${formatNumber(share)}%` : '–'}</span> <span>{option.title}</span>
                {own ? <span class="visually-hidden"> ({t('poll.own_vote')})</span> : null}
              </li>
            );
          })}
        </ul>
        {footer}
      </div>
    );
  return (
    <form class="poll" onSubmit={(event) => void vote(event)} aria-label={t('poll.label')}>
      <fieldset>
        <legend class="visually-hidden">{t('poll.label')}</legend>
        {poll.options.map((option, index) => (
          <label key={index} class="poll-option">
            <input
              type={poll.multiple ? 'checkbox' : 'radio'}
              name={`poll-${poll.id}`}
              checked={chosen.includes(index)}
              onChange={() => toggle(index)}
            />{' '}
            {option.title}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={busy || !chosen.length}>
        {t('poll.vote')}
      </button>
      {footer}
    </form>
  );
}
