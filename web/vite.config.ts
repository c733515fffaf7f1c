/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { VantResolver } from '@vant/auto-import-resolver'

// Two pages built into dist/: the applicants' (index.html, Vant, phone first) and the
// reviewers' desk (reviewer/index.html, Element Plus). Neither loads the other's library.
// No CDN: every asset is bundled; no inline script, so the CSP can forbid 'unsafe-inline'.
//
// Each app is a build of its own — `npm run build` is `vite build` (the applicants', which
// empties dist/) then `vite build --mode reviewer` (the desk, beside it) — and its routes are
// imported, not lazy: an app is one script and one style sheet, and no chunk is shared between
// the two. Each file is a CloudFront request on every first visit, which cost more than the
// bytes lazy routes saved a first page (bench/bill, docs/PERFORMANCE.md).
const apps = {
  applicant: { input: './index.html', emptyOutDir: true },
  reviewer: { input: './reviewer/index.html', emptyOutDir: false },
}

export default defineConfig(({ mode }) => {
  const name = mode === 'reviewer' ? 'reviewer' : 'applicant'
  const app = apps[name]
  return {
    plugins: [
      vue(),
      // <van-…> and <el-…> tags import just that component and its CSS, so a page carries only
      // the widgets it shows. src/components.d.ts (committed) lets vue-tsc check their props.
      // Each app's build only adds to it (the two builds see one app each), and leaves it
      // untouched when it names them all already, so make's web target finds dist/ newer than
      // its sources; to drop a component no page uses any more, delete the file and build.
      Components({
        dirs: [],
        dts: 'src/components.d.ts',
        syncMode: 'append',
        resolvers: [VantResolver(), ElementPlusResolver({ importStyle: 'css' })],
      }),
    ],
    resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
    build: {
      outDir: 'dist',
      emptyOutDir: app.emptyOutDir,
      assetsInlineLimit: 0,
      rollupOptions: {
        input: { [name]: fileURLToPath(new URL(app.input, import.meta.url)) },
      },
    },
    server: {
      // `npm run dev` beside `make run`: the API stays same-origin through the proxy.
      proxy: { '/v1': 'http://127.0.0.1:3000', '/local': 'http://127.0.0.1:3000' },
    },
    test: {
      environment: 'happy-dom',
      include: ['src/**/*.test.ts'],
    },
  }
})
