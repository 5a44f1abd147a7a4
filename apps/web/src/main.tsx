// The entry is kept small so that the session restore starts as soon as it arrives (early-start.ts),
// while React, Mantine and the app (app/boot.tsx, preloaded from index.html) download and compile.
import './early-start';
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';

void import('./app/boot');
