import QRCode from 'qrcode'

/**
 * qrImage draws the binding's QR code from the text it encodes (the API's qrContent), as a
 * data: image: the pages load no third party's picture (WeChat's showqrcode address is one,
 * and the CSP keeps it out). Only a web address is drawn; anything else is no QR at all.
 */
export async function qrImage(content: string | null | undefined): Promise<string | null> {
  if (!content || content.length > 512 || !/^https?:\/\//.test(content)) return null
  try {
    return await QRCode.toDataURL(content, { errorCorrectionLevel: 'M', margin: 1, width: 200 })
  } catch {
    return null
  }
}
