import { beforeEach, describe, expect, it } from 'vitest';
import { lastCard, makeInstallable, rememberCard, verificationUrl } from './installable';

describe('the digital card as an installed app', () => {
  beforeEach(() => {
    document.head.innerHTML = '';
    localStorage.clear();
  });

  it('links its own manifest once', () => {
    makeInstallable();
    makeInstallable();
    const links = document.querySelectorAll('link[rel="manifest"]');
    expect(links).toHaveLength(1);
    expect(links[0].getAttribute('href')).toBe('/the-dien-tu.webmanifest');
  });

  it('remembers the last card shown', () => {
    expect(lastCard()).toBeNull();
    rememberCard('ABCD-EFGH');
    expect(lastCard()).toBe('ABCD-EFGH');
  });

  it('encodes the verification address of the QR code', () => {
    expect(verificationUrl('AB CD', 'https://congdoan.example')).toBe(
      'https://congdoan.example/api/v1/public/cards/verify/AB%20CD');
  });
});
