// Imported first by main.tsx: modules run in import order, so the session restore and the first
// requests start before React, Mantine and the app's modules are evaluated (see app/early-start.ts).
import { startEarly } from './app/early-start';

startEarly(window.location);
