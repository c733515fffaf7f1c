import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { SessionHolder } from '@/api/client'

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue') },
  { path: '/', name: 'queue', component: () => import('./pages/QueuePage.vue'), meta: { auth: true } },
  { path: '/reviews/:reviewId', name: 'review', component: () => import('./pages/ReviewPage.vue'), meta: { auth: true } },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory('/reviewer/'), routes })

const holder = new SessionHolder('jszg.reviewer.session')

router.beforeEach((to) => (to.meta.auth && !holder.token ? { name: 'login' } : true))
