// Follow requests to a locked account: accept or reject each.
import { useState } from 'preact/hooks';
import { AccountRow } from '../components/account-name.tsx';
import { PagedList } from '../components/paged-list.tsx';
import { t } from '../i18n/index.ts';
import { useApp } from '../state.ts';
import type { Account } from '../types.ts';

function Request({ account, onDone }: { account: Account; onDone: () => void }) {
  const { api, announce } = useApp();
  const [busy, setBusy] = useState(false);
  const answer = async (action: 'authorize' | 'reject') => {
    setBusy(true);
    await api.post(`/api/v1/follow_requests/${account.id}/${action}`);
    announce(action === 'authorize' ? t('requests.accepted', { acct: account.acct }) : t('requests.rejected', { acct: account.acct }));
    onDone();
  };
  return (
    <AccountRow account={account}>
      <button type="button" class="primary" disabled={busy} onClick={() => void answer('authorize')}>
        {t('requests.accept')}
      </button>
      <button type="button" disabled={busy} onClick={() => void answer('reject')}>
        {t('requests.reject')}
      </button>
    </AccountRow>
  );
}

export function FollowRequestsScreen() {
  return (
    <>
      <h1>{t('nav.follow_requests')}</h1>
      <PagedList<Account>
        role="list"
        path="/api/v1/follow_requests"
        label={t('nav.follow_requests')}
        empty={t('requests.empty')}
        render={(a, _i, _n, remove) => <Request account={a} onDone={() => remove(a.id)} />}
      />
    </>
  );
}
