import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { session as holder } from './holder'
import LoginPage from './pages/LoginPage.vue'
import QueuePage from './pages/QueuePage.vue'
import ReviewPage from './pages/ReviewPage.vue'

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginPage, meta: { title: '审核人员登录' } },
  { path: '/', name: 'queue', component: QueuePage, meta: { auth: true, title: '审核队列' } },
  {
    path: '/reviews/:reviewId',
    name: 'review',
    component: ReviewPage,
    meta: { auth: true, title: '审核申请' },
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory('/reviewer/'), routes })

// A page that needs a session sends the reviewer to log in, and back to it afterwards (a
// review's address pasted by a colleague opens once logged in).
router.beforeEach((to) => (to.meta.auth && !holder.token ? { name: 'login', query: { next: to.fullPath } } : true))

router.afterEach((to) => {
  document.title = `${(to.meta.title as string | undefined) ?? '人工审核'} · 中国教师资格网`
})
