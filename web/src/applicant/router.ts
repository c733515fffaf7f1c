import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { SessionHolder } from '@/api/client'

declare module 'vue-router' {
  interface RouteMeta {
    /** the nav bar's title */
    title?: string
    /** the page needs a logged-in applicant */
    auth?: boolean
  }
}

// Every page is its own chunk: a phone on a slow line loads the login page, not the desk.
const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./pages/HomePage.vue'), meta: { title: '用户中心', auth: true } },
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { title: '登录' } },
  { path: '/register', name: 'register', component: () => import('./pages/RegisterPage.vue'), meta: { title: '注册' } },
  { path: '/federated-login', name: 'federated-login', component: () => import('./pages/FederatedLoginPage.vue'), meta: { title: '教育部账号登录' } },
  { path: '/forgot-password', name: 'forgot-password', component: () => import('./pages/ForgotPasswordPage.vue'), meta: { title: '找回密码' } },
  { path: '/reset-password', name: 'reset-password', component: () => import('./pages/ResetPasswordPage.vue'), meta: { title: '设置新密码' } },
  { path: '/profile', name: 'profile', component: () => import('./pages/ProfilePage.vue'), meta: { title: '完善个人信息', auth: true } },
  { path: '/verification', name: 'verification', component: () => import('./pages/VerificationPage.vue'), meta: { title: '实名核验', auth: true } },
  { path: '/manual-review', name: 'manual-review', component: () => import('./pages/ManualReviewPage.vue'), meta: { title: '人工审核', auth: true } },
  { path: '/account', name: 'account', component: () => import('./pages/AccountPage.vue'), meta: { title: '账号信息', auth: true } },
  { path: '/account/password', name: 'change-password', component: () => import('./pages/ChangePasswordPage.vue'), meta: { title: '修改密码', auth: true } },
  { path: '/account/phone', name: 'change-phone', component: () => import('./pages/ChangePhonePage.vue'), meta: { title: '修改手机号', auth: true } },
  { path: '/account/email', name: 'change-email', component: () => import('./pages/ChangeEmailPage.vue'), meta: { title: '修改邮箱', auth: true } },
  { path: '/account/wechat', name: 'wechat-binding', component: () => import('./pages/WechatBindingPage.vue'), meta: { title: '微信绑定', auth: true } },
  { path: '/corrections', name: 'corrections', component: () => import('./pages/CorrectionPage.vue'), meta: { title: '账号申诉' } },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: '页面不存在' } },
]

export const router = createRouter({ history: createWebHistory(), routes })

const holder = new SessionHolder('jszg.applicant.session')

router.beforeEach((to) => {
  if (to.meta.auth && !holder.token) return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } }
  return true
})
