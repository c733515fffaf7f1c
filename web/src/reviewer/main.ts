import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { watchIdle } from './session'
import './base.css'

createApp(App).use(router).mount('#app')
watchIdle()
