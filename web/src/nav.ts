// Switches between the host view (the default, always mounted so its charts keep their history) and
// the jobs pages, which are mounted on entry and torn down on exit, following the location hash.
import { byId, setAttr } from './dom.ts';
import { mountConsolePage } from './console-page.ts';
import { mountJobPage } from './job-page.ts';
import { createJobEvents } from './job-events.ts';
import { mountJobsList } from './jobs-list.ts';
import { parseRoute, type Route } from './route.ts';
import { mountRunPage } from './run-page.ts';
import type { ViewContext } from './view.ts';

export interface NavigationOptions {
  /** Shows the sign-in banner (shared with the host view). */
  onAuth(): void;
}

export function initNavigation(opts: NavigationOptions): void {
  const hostView = byId('host-view');
  const hostFooter = byId('host-footer');
  const jobsView = byId('jobs-view');
  const tabs = [...document.querySelectorAll<HTMLAnchorElement>('[data-nav]')];
  const ctx: ViewContext = {
    events: createJobEvents(),
    onAuth: opts.onAuth,
    navigate: (hash) => {
      location.hash = hash;
    },
  };
  let unmount: (() => void) | undefined;

  const show = (route: Route): void => {
    unmount?.();
    unmount = undefined;
    const host = route.view === 'host';
    hostView.hidden = !host;
    hostFooter.hidden = !host;
    jobsView.hidden = host;
    document.body.dataset.view = route.view;
    for (const tab of tabs) {
      const section = host ? 'host' : route.view === 'console' ? 'console' : 'jobs';
      const current = tab.dataset.nav === section;
      if (current) setAttr(tab, 'aria-current', 'page');
      else tab.removeAttribute('aria-current');
    }
    if (host) {
      document.title = 'bosun';
      jobsView.replaceChildren();
      return;
    }
    document.title =
      route.view === 'jobs'
        ? 'Jobs · bosun'
        : route.view === 'console'
          ? 'Console · bosun'
          : 'bosun';
    const root = document.createElement('div');
    root.className = 'page';
    jobsView.replaceChildren(root);
    unmount =
      route.view === 'jobs'
        ? mountJobsList(root, ctx)
        : route.view === 'job'
          ? mountJobPage(root, ctx, route.id)
          : route.view === 'console'
            ? mountConsolePage(root, ctx, route.session)
            : mountRunPage(root, ctx, route.id);
    window.scrollTo(0, 0);
  };

  window.addEventListener('hashchange', () => show(parseRoute(location.hash)));
  show(parseRoute(location.hash));
}
