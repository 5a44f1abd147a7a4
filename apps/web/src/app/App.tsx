import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { BrowserRouter } from 'react-router';
import { SessionProvider } from '../features/auth/hooks/session';
import { OfflineBanner } from './OfflineBanner';
import { takeQueryClient } from './early-start';
import { AppRoutes } from './routes';
import { cssVariablesResolver, theme } from './theme';

export function App() {
  // The cache the early start is already filling (the session's first requests).
  const [queryClient] = useState(takeQueryClient);
  return (
    <MantineProvider theme={theme} defaultColorScheme="light" cssVariablesResolver={cssVariablesResolver}>
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <BrowserRouter>
            <OfflineBanner />
            <AppRoutes />
          </BrowserRouter>
        </SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
