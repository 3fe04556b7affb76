/** How `npm run demo` plans the bundled example (package.json "demo"): the golden plan in plans/shop. */
export const DEMO_PLAN_ARGS = ['plan', '--from', 'examples/shop', '--domain', 'www.shop.example.com'];
