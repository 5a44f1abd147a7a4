import { Alert, Button, Group, Loader, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import type { SatisfactionRating, SatisfactionSurveyView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { formatDateTime } from '../../../lib/format';
import { AuthLayout } from '../../auth/components/AuthLayout';
import { getSurvey, rate } from '../api/satisfaction';

const RATINGS = ['good', 'bad'] as const;
const isRating = (value: string | null): value is SatisfactionRating => value === 'good' || value === 'bad';

/**
 * `/rate/:token`, the solved mail's survey: its buttons link here with `?rating=good|bad`, which is saved
 * once on arrival (by the page, not by the GET of the link, so a mail scanner opening links rates
 * nothing), then the customer may switch the rating and add a comment until the link expires.
 */
export function RatePage() {
  const { token = '' } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const queryKey = ['satisfaction', token];
  const clicked = params.get('rating');
  const survey = useQuery({ queryKey, queryFn: () => getSurvey(token), enabled: token !== '' && !isRating(clicked), retry: false });
  const save = useMutation({
    mutationFn: (body: { rating: SatisfactionRating; comment?: string }) => rate(token, body),
    onSuccess: (saved) => queryClient.setQueryData<SatisfactionSurveyView>(queryKey, saved),
  });
  const [comment, setComment] = useState<string | null>(null);

  // The clicked rating is saved once, even when StrictMode runs the effect twice; then the URL drops it, so a reload does not undo a later change.
  const posted = useRef(false);
  useEffect(() => {
    if (!token || !isRating(clicked) || posted.current) return;
    posted.current = true;
    save.mutate({ rating: clicked }, { onSettled: () => void navigate(`/rate/${encodeURIComponent(token)}`, { replace: true }) });
  }, [token, clicked, save, navigate]);

  const current = survey.data;
  const error = save.error ?? survey.error;
  return (
    <AuthLayout title={t.satisfaction.pageTitle}>
      {!token ? <Alert color="red">{t.satisfaction.missingToken}</Alert> : null}
      {error ? (
        <Alert color="red" role="alert" mb="sm">
          {describeError(error)}
        </Alert>
      ) : null}
      {!current && !error ? <Loader role="status" aria-label={t.common.loading} /> : null}
      {current ? (
        <Stack gap="sm">
          <Text size="sm">{t.satisfaction.question(current.organizationName, current.ticket.number, current.ticket.subject)}</Text>
          <Group gap="xs" role="radiogroup" aria-label={t.satisfaction.title}>
            {RATINGS.map((rating) => (
              <Button
                key={rating}
                role="radio"
                aria-checked={current.rating === rating}
                // The darkest shades: white on them, and their text on white, read at 4.5:1.
                color={rating === 'good' ? 'green.9' : 'red.9'}
                variant={current.rating === rating ? 'filled' : 'default'}
                loading={save.isPending && save.variables?.rating === rating && save.variables.comment === undefined}
                onClick={() => save.mutate({ rating })}
              >
                {rating === 'good' ? t.satisfaction.good : t.satisfaction.bad}
              </Button>
            ))}
          </Group>
          {current.rating ? (
            <>
              {save.isSuccess ? (
                <Alert color="green" role="status">
                  {t.satisfaction.thanks}
                </Alert>
              ) : null}
              <Textarea label={t.satisfaction.commentLabel} autosize minRows={3} maxLength={2000} value={comment ?? current.comment ?? ''} onChange={(event) => setComment(event.currentTarget.value)} />
              <Button w="fit-content" loading={save.isPending && save.variables?.comment !== undefined} onClick={() => save.mutate({ rating: current.rating!, comment: comment ?? current.comment ?? '' })}>
                {t.satisfaction.sendComment}
              </Button>
            </>
          ) : null}
          <Text size="xs" c="dimmed">
            {t.satisfaction.changeableUntil(formatDateTime(current.changeableUntil))}
          </Text>
        </Stack>
      ) : null}
    </AuthLayout>
  );
}
