import { describe, expect, it } from 'vitest'
import { filtersFrom, queryOf } from './queueFilters'

describe('the queue’s filters in the address bar', () => {
  it('defaults to pending reviews of every kind, 20 a page', () => {
    expect(filtersFrom({})).toEqual({ status: 'pending', kind: null, limit: 20 })
    expect(queryOf(filtersFrom({}))).toEqual({})
  })

  it('reads what the contract allows and ignores the rest', () => {
    expect(filtersFrom({ status: 'rejected', kind: 'name_change', limit: '50' })).toEqual({
      status: 'rejected', kind: 'name_change', limit: 50,
    })
    expect(filtersFrom({ status: 'done', kind: 'x', limit: '0' })).toEqual({ status: 'pending', kind: null, limit: 20 })
    expect(filtersFrom({ limit: '101' }).limit).toBe(20)
    expect(filtersFrom({ limit: '2.5' }).limit).toBe(20)
    expect(filtersFrom({ status: ['approved', 'rejected'] }).status).toBe('approved')
  })

  it('writes back only what differs from the defaults', () => {
    expect(queryOf({ status: 'approved', kind: null, limit: 20 })).toEqual({ status: 'approved' })
    expect(queryOf({ status: 'pending', kind: 'contact', limit: 1 })).toEqual({ kind: 'contact', limit: '1' })
  })
})
