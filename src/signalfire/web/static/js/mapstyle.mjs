// What the two map modules share: the palette of the maps and the JSON fetch that turns an API error into its message.

export const OCEAN = '#dce7f1';
export const LAND = '#f3f0ea';
export const BORDER = '#b9c2cc';
export const RAMP = ['#fee8c8', '#fdd49e', '#fdbb84', '#fc8d59', '#ef6548', '#d7301f', '#990000'];

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    let message = `${response.status}`;
    try { message = (await response.json()).error.message; } catch (e) { /* keep status */ }
    throw new Error(message);
  }
  return response.json();
}
