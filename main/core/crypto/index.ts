// Public surface of the crypto layer. Keys are reached only through PrivateKeyOps (keyOps.ts).
export { CryptoError, isCryptoError, CRYPTO_ERROR_CODES, type CryptoErrorCode } from './errors';
export type { HashAlg, KeyTransportAlg, PrivateKeyOps, SignatureAlg } from './keyOps';
export { SIGNATURE_ALGS, describeKeyTransport } from './keyOps';
export { ecdsaRawToDer } from './algorithms';
export {
  parseCertificate, parseCertificates, pemToDer, derToPem, verifyChain, isValidAt,
  type CertificateInfo, type CertInput, type ChainOptions, type ChainResult, type KeyUsage, type PublicKeyInfo,
} from './certificates';
export type { ContentSource } from './content';
export { signDetached, defaultSignatureAlg, type SignOptions } from './sign';
export {
  verifyDetached, formatVnDateTime, ACCEPTED_EKU, type VerifyOptions, type VerifyResult, type SignerVerification, type CheckResult, type RevocationState,
} from './verify';
export { parseCrls, parseCrlFiles, checkRevocation, type CrlInfo, type CrlInput } from './crl';
export { verifyTimestampToken, attachTimestamp, signatureValueOf } from './timestamp';
export {
  encryptStream, encryptFile, decryptToFile, decryptFile, decryptToBuffer, readRecipientInfos, isAddressedTo,
  type EncryptOptions, type EncryptResult, type DecryptOptions, type DecryptResult, type RecipientSpec, type ByteSource,
} from './envelope';
export { encryptFileOffThread, decryptFileOffThread } from './offThread';
