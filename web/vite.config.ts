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
export default defineConfig({
  plugins: [
    vue(),
    // <van-…> and <el-…> tags import just that component and its CSS, so a page carries only
    // the widgets it shows. src/components.d.ts (committed) lets vue-tsc check their props.
    Components({
      dirs: [],
      dts: 'src/components.d.ts',
      resolvers: [VantResolver(), ElementPlusResolver({ importStyle: 'css' })],
    }),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        applicant: fileURLToPath(new URL('./index.html', import.meta.url)),
        reviewer: fileURLToPath(new URL('./reviewer/index.html', import.meta.url)),
      },
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
})
